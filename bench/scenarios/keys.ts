import { audit, type Check } from "../audit";
import type { Item } from "../ledger";
import { cpuBetween, snapshot } from "../lib/cpu";
import type { LoadRequest } from "../lib/load";
import { type KeyRound, type Row, type RunContext, reserveRequest, scopeOf, settle, withCheck } from "./common";
import { HOT_WAREHOUSE, sellOut, setStock, warmUp } from "./sellout";

/** Every scoped-key row starts with this. */
export const KEYS = "keys: ";
/** Issue 14: the key check may cost at most 5 % (key ÷ root CPU per request, root ÷ key req/s). */
export const KEYS_GOAL = 1.05;
/** The rate limit every scoped key has (wrangler.toml, `[[ratelimits]]` KEY_RATE_LIMIT). */
export const KEY_LIMIT_PER_10S = 1_000;
/** The scopes a storefront's key has (README): enough for the hot SKU's reservations. */
export const BENCH_KEY_SCOPES = ["stock:read", "reservations"];

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Counts each key's requests per 10-second window aligned to the clock (Miniflare's limiter
 * counts the same way: `floor(now / period)`).
 */
class PerKeyWindows {
  private readonly counts = new Map<string, number>();
  max = 0;

  add(key: number): void {
    const id = `${Math.floor(Date.now() / 10_000)}:${key}`;
    const count = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, count);
    if (count > this.max) this.max = count;
  }
}

/** The request with each send's `Authorization` taken from `tokens` in turn. */
function withKeys(request: LoadRequest, tokens: string[], windows: PerKeyWindows): LoadRequest {
  let n = 0;
  const setup = request.setupRequest;
  return {
    ...request,
    setupRequest: (req, context) => {
      const built = typeof setup === "function" ? setup(req, context) : req;
      if (!built) return built;
      const index = n++ % tokens.length;
      windows.add(index);
      return { ...built, headers: { ...built.headers, authorization: `Bearer ${tokens[index]}` } };
    },
  };
}

/**
 * Scoped keys (issue 14), Worker paths: the hot SKU's sell-out (one item, single-unit
 * reservations from every connection, exactly `stock` requests) with the root key
 * (`API_TOKEN`) and with scoped keys (`stock:read` + `reservations`, created with
 * `POST /v1/keys`), `keys.rounds` rounds of each, in the order root, key, key, root, root,
 * key, … so that a drift of the machine's load falls on both alike; each round sells a fresh
 * item with the same stock.
 *
 * Every scoped key is limited to 1,000 requests per 10 s and the hot SKU goes faster than
 * that, so the key rounds send their requests with several keys in turn: as few as keep each
 * key at half its limit at the warm-up's rate (about 9 keys at 450 req/s), so no request is
 * refused for its rate (the row says how close the busiest key came, and counts any 429) and
 * the keys' D1 reads (one per key per 10 s, when its cache entry expires) stay few. What differs between the rounds is the key check itself: the
 * SHA-256 of the token, the isolate's cache lookup (a D1 read per key every 10 s) and the
 * rate-limit call, against the root key's constant-time digest comparison.
 */
export async function keys(ctx: RunContext): Promise<Row[]> {
  const { rounds, shareOfLimit, sellOutSeconds } = ctx.profile.keys;
  // The root key's warm-up sizes the stock and the number of keys; the keys' own warm-up
  // then fills every key's cache entry.
  const warm = await warmUp(ctx, "KEYS", sellOutSeconds);
  const keyCount = Math.max(1, Math.ceil((warm.rps * 10) / (KEY_LIMIT_PER_10S * shareOfLimit)));
  const tokens: string[] = [];
  for (let k = 0; k < keyCount; k++) {
    const answer = await ctx.api.post("/v1/keys", { name: `bench ${ctx.runTag} ${k + 1}`, scopes: BENCH_KEY_SCOPES });
    const body = answer.body as { id?: string; token?: string } | null;
    if (answer.status !== 201 || typeof body?.token !== "string") {
      throw new Error(`keys: POST /v1/keys answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
    tokens.push(body.token);
  }
  const warmWindows = new PerKeyWindows();
  const warmKeys = await warmUp(ctx, "KEYS-K", sellOutSeconds, (r) => withKeys(r, tokens, warmWindows));
  const stock = warm.stock;
  const items: Item[] = [warm.item, warmKeys.item];
  const scenarios = [warm.scenario, warmKeys.scenario];
  const order: ("root" | "key")[] = [];
  for (let k = 0; k < rounds; k++) order.push(...(k % 2 === 0 ? (["root", "key"] as const) : (["key", "root"] as const)));

  const rows: Row[] = [];
  for (const [index, auth] of order.entries()) {
    const round = index + 1;
    const sku = `KEYS-${round}`;
    const scenario = `keys-${round}`;
    scenarios.push(scenario);
    items.push({ sku, warehouse: HOT_WAREHOUSE, set: stock });
    await setStock(ctx, sku, stock);
    await settle(ctx, ctx.profile.settleSeconds);
    const windows = new PerKeyWindows();
    const plain = reserveRequest(ctx, scenario, () => [{ sku, warehouse: HOT_WAREHOUSE, quantity: 1 }]);
    const request = auth === "root" ? plain : withKeys(plain, tokens, windows);
    const label = `${KEYS}sell-out, ${auth === "root" ? "root key" : `scoped keys (${keyCount})`} (round ${round})`;
    const load = await sellOut(ctx, label.slice(KEYS.length), stock, sellOutSeconds, request);
    const rateLimited = load.statuses["429"] ?? 0;
    const keyRound: KeyRound = {
      round,
      auth,
      keys: auth === "root" ? 0 : keyCount,
      ...(auth === "key" ? { maxPerKeyPer10s: windows.max } : {}),
      rateLimited,
    };
    rows.push({
      scenario: label,
      load,
      keys: keyRound,
      notes: [
        `${n0(stock)} units, 1 per reservation (sized from a ${warm.seconds} s warm-up with the root key at ${n0(warm.rps)} req/s)`,
        ...(auth === "key"
          ? [
              `requests spread over ${keyCount} keys in turn; the busiest key made ${n0(windows.max)} requests in one 10 s window ` +
                `(limit ${n0(KEY_LIMIT_PER_10S)}); ${rateLimited === 0 ? "no 429" : `${n0(rateLimited)} answered 429`}`,
            ]
          : []),
      ],
    });
  }
  const lastRow = rows[rows.length - 1];
  // The key check alone, without queueing, and (profiler on) where its CPU goes.
  if (lastRow?.keys !== undefined) {
    const alone = await keyCheckAlone(ctx, tokens);
    lastRow.keys.alone = alone;
    const per = (x: number) => x.toFixed(3);
    const signed = (x: number) => `${x < 0 ? "−" : "+"}${Math.abs(x).toFixed(3)}`;
    lastRow.notes.push(
      `one call at a time, ${n0(alone.calls)} of each, workerd CPU per call from /proc (±${per(20 / alone.calls)} ms): ` +
        `\`POST /v1/reservations\` with an invalid body (400 after authentication, before any object) with the root key ${per(alone.rootCpuMs)} ms, ` +
        `with a scoped key ${per(alone.keyCpuMs)} ms (the key check: ${signed(alone.keyCpuMs - alone.rootCpuMs)} ms); refused with 401, a wrong token ` +
        `${per(alone.wrongCpuMs)} ms, an unknown \`sfk_\` token ${per(alone.unknownKeyCpuMs)} ms (its SHA-256 and the cache lookup: ` +
        `${signed(alone.unknownKeyCpuMs - alone.wrongCpuMs)} ms); so the rate-limit call, the scope check and the principal: about ` +
        `${signed(alone.keyCpuMs - alone.rootCpuMs - (alone.unknownKeyCpuMs - alone.wrongCpuMs))} ms; p50 root ${alone.rootP50.toFixed(2)} ms, key ${alone.keyP50.toFixed(2)} ms; ` +
        `answers ${JSON.stringify(alone.statuses)}`,
    );
  }
  const first = rows[0];
  if (first !== undefined) {
    first.notes.push(
      `${keyCount} keys created with POST /v1/keys (scopes ${BENCH_KEY_SCOPES.join(", ")}), as few as keep each under ${shareOfLimit * 100}% of its ` +
        `${n0(KEY_LIMIT_PER_10S)} requests per 10 s at the warm-up's rate; warm-up with them: ${n0(warmKeys.rps)} req/s for ${warmKeys.seconds} s ` +
        `(root key: ${n0(warm.rps)} req/s)`,
    );
  }

  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, scenarios, items, items.length), ctx.progress);
  const checks: Check[] = scenarios.slice(2).map((scenario) => {
    const sold = ctx.ledger.of(scenario).filter((p) => p.acknowledged).length;
    return {
      name: "sold out exactly",
      pass: sold === stock,
      detail: `${scenario}: ${n0(sold)} units acknowledged (201) of ${n0(stock)} in stock`,
    };
  });
  const limited = rows.reduce((s, row) => s + (row.keys?.rateLimited ?? 0), 0);
  checks.push({
    name: "no 429 (rate limited)",
    pass: limited === 0,
    detail: limited === 0 ? "no request was refused for its key's rate" : `${n0(limited)} requests answered 429`,
  });
  let checked = result;
  for (const check of checks) checked = withCheck(checked, check);
  if (lastRow !== undefined) lastRow.audit = checked;
  return rows;
}

/** Calls of the one-at-a-time comparison, per kind of token (in two blocks). */
const ALONE_CALLS = 1_000;

type AloneKind = "root" | "key" | "wrong" | "unknown";

/**
 * The key check without queueing, one call at a time, workerd's CPU per call from /proc:
 *  - root / key: `POST /v1/reservations` with an empty `lines`, refused with 400 by the schema
 *    after authentication, before any object: the difference is the whole key check (the
 *    token's SHA-256, the cache lookup, the rate-limit call, the scope check);
 *  - wrong / unknown: the same call with a wrong token (not shaped like a key: refused 401
 *    after the root comparison) and with a well-formed `sfk_` token no key has (refused 401
 *    after its SHA-256 and the cache lookup, which remembers unknown tokens too; no rate-limit
 *    call): the difference is the hash and the lookup alone.
 * Blocks in the order root, key, wrong, unknown, unknown, wrong, key, root.
 */
async function keyCheckAlone(ctx: RunContext, tokens: string[]): Promise<NonNullable<KeyRound["alone"]>> {
  await settle(ctx, ctx.profile.settleSeconds);
  const block = ALONE_CALLS / 2;
  const kinds: AloneKind[] = ["root", "key", "wrong", "unknown"];
  const cpu: Record<AloneKind, number> = { root: 0, key: 0, wrong: 0, unknown: 0 };
  const latencies: Record<AloneKind, number[]> = { root: [], key: [], wrong: [], unknown: [] };
  const statuses: Record<string, number> = {};
  const unknownToken = `sfk_${"A".repeat(43)}`;
  const wrongToken = `${ctx.target.token}-wrong`;
  let n = 0;
  for (const kind of [...kinds, ...[...kinds].reverse()]) {
    const before = snapshot(ctx.target.pids());
    for (let k = 0; k < block; k++) {
      const token =
        kind === "root"
          ? ctx.target.token
          : kind === "key"
            ? (tokens[n++ % tokens.length] as string)
            : kind === "wrong"
              ? wrongToken
              : unknownToken;
      const started = performance.now();
      const response = await fetch(`${ctx.target.baseUrl}/v1/reservations`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ lines: [], ttlSeconds: 60 }),
      });
      await response.text();
      latencies[kind].push(performance.now() - started);
      const key = `${kind} ${response.status}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (k % 50 === 0) ctx.progress.update(`${ctx.target.label}: keys: one call at a time, ${kind} token, ${k}/${block}`);
    }
    const used = cpuBetween(before, snapshot(ctx.target.pids()));
    cpu[kind] += used.targetCores * used.wallMs;
  }
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    calls: ALONE_CALLS,
    rootCpuMs: cpu.root / ALONE_CALLS,
    keyCpuMs: cpu.key / ALONE_CALLS,
    wrongCpuMs: cpu.wrong / ALONE_CALLS,
    unknownKeyCpuMs: cpu.unknown / ALONE_CALLS,
    rootP50: p50(latencies.root),
    keyP50: p50(latencies.key),
    statuses,
  };
}
