import { audit, type Check } from "../audit";
import type { Item } from "../ledger";
import { runLoads } from "../lib/load";
import { pick, type Row, type RunContext, reserveRequest, scopeOf, settle, withCheck } from "./common";

interface LevelLike {
  onHand: number;
  reserved: number;
  available: number;
}

function consistent(level: LevelLike): boolean {
  return level.available === level.onHand - level.reserved && level.available >= 0;
}

/**
 * Reads while writes go on, over the wide items: half the connections place single-line
 * reservations, a quarter read one item's level, a quarter read a SKU's totals across its
 * warehouses. Every read answer is checked: available = onHand - reserved, never below 0,
 * and totals = the sum of the warehouses.
 */
export async function reads(ctx: RunContext, items: Item[]): Promise<Row[]> {
  const skus = [...new Set(items.map((item) => item.sku))];
  const quarter = Math.max(1, Math.floor(ctx.profile.connections / 4));
  const bad: string[] = [];
  let answered = 0;
  const parse = <T>(body: string): T | null => {
    try {
      return JSON.parse(body) as T;
    } catch {
      return null;
    }
  };
  const checkLevel = (status: number, body: string) => {
    answered++;
    if (status !== 200) return bad.push(`status ${status}`);
    const level = parse<LevelLike>(body);
    if (level === null || !consistent(level)) bad.push(`level ${body.slice(0, 200)}`);
  };
  const checkSku = (status: number, body: string) => {
    answered++;
    if (status !== 200) return bad.push(`status ${status}`);
    const parsed = parse<{ warehouses: LevelLike[]; totals: LevelLike }>(body);
    if (parsed === null) return bad.push(`totals ${body.slice(0, 200)}`);
    const sum = parsed.warehouses.reduce(
      (s, l) => ({ onHand: s.onHand + l.onHand, reserved: s.reserved + l.reserved, available: s.available + l.available }),
      { onHand: 0, reserved: 0, available: 0 },
    );
    const t = parsed.totals;
    if (!parsed.warehouses.every(consistent) || t.onHand !== sum.onHand || t.reserved !== sum.reserved || t.available !== sum.available) {
      bad.push(`totals ${body.slice(0, 200)}`);
    }
  };
  await settle(ctx, ctx.profile.settleSeconds);
  const headers = { authorization: `Bearer ${ctx.target.token}` };
  const base = { baseUrl: ctx.target.baseUrl, seconds: ctx.profile.reads.seconds, pids: ctx.target.pids() };
  const [writes, itemReads, skuReads] = await runLoads(
    [
      {
        ...base,
        label: `${ctx.target.label}: reads (writers)`,
        connections: ctx.profile.connections - 2 * quarter,
        requests: [
          reserveRequest(ctx, "reads", () => {
            const item = pick(items);
            return [{ sku: item.sku, warehouse: item.warehouse, quantity: 1 }];
          }),
        ],
      },
      {
        ...base,
        label: `${ctx.target.label}: reads (item levels)`,
        connections: quarter,
        requests: [
          {
            method: "GET",
            headers,
            setupRequest: (request) => {
              const item = pick(items);
              return { ...request, path: `/v1/stock/${item.sku}/${item.warehouse}` };
            },
            onResponse: checkLevel,
          },
        ],
      },
      {
        ...base,
        label: `${ctx.target.label}: reads (SKU totals)`,
        connections: quarter,
        requests: [
          {
            method: "GET",
            headers,
            setupRequest: (request) => ({ ...request, path: `/v1/stock/${pick(skus)}` }),
            onResponse: checkSku,
          },
        ],
      },
    ],
    ctx.progress,
  );
  const readCheck: Check = {
    name: "reads consistent",
    pass: bad.length === 0,
    detail:
      `${(answered - bad.length).toLocaleString("en-US")}/${answered.toLocaleString("en-US")} read answers consistent` +
      (bad.length > 0 ? `; e.g. ${bad.slice(0, 2).join("; ")}` : ""),
  };
  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, ["reads"], items), ctx.progress);
  const loads = [writes, itemReads, skuReads].filter((load) => load !== undefined);
  const total = loads.reduce((sum, load) => sum + load.rps, 0);
  // The three loads share the server: its CPU per request is over all their requests.
  const serverMs = Math.max(...loads.map((load) => load.cpu.targetCores * load.cpu.wallMs));
  const requests = loads.reduce((sum, load) => sum + load.requests, 0);
  for (const load of loads) load.cpu.targetMsPerRequest = requests > 0 ? serverMs / requests : 0;
  return [
    { scenario: "reads: GET item level", load: itemReads, notes: [`${quarter} connections, while writes go on`] },
    { scenario: "reads: GET SKU totals (4 wh)", load: skuReads, notes: [`${quarter} connections, while writes go on`] },
    {
      scenario: "reads: concurrent 1-line writes",
      load: writes,
      audit: withCheck(result, readCheck),
      notes: [`all three together: ${total.toFixed(0)} req/s (server CPU per request is over all three)`],
    },
  ];
}
