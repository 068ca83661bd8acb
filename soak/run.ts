import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { killAllNow, stopAll } from "../bench/lib/procs";
import { checkAnswers } from "./checks/answers";
import type { Check } from "./checks/check";
import { checkItems } from "./checks/items";
import { checkPools } from "./checks/pools";
import { checkReservations } from "./checks/reservations";
import { checkWebhooks } from "./checks/webhooks";
import { Client } from "./client";
import { D1Outage } from "./d1-outage";
import { History } from "./history";
import { Injector } from "./injector";
import { LoadClient } from "./load";
import { Model } from "./model";
import { parseOptions } from "./options";
import { Random } from "./random";
import { Receivers } from "./receivers";
import { printChecks, printFigures } from "./report";
import { describeFault, drawSchedule } from "./schedule";
import { createService } from "./server";
import { setUpWorld, WATCH_THRESHOLD } from "./world";

/**
 * `npm run soak`: the service started as a user starts it, a mixed load from many clients,
 * faults drawn from the seed, a history of every exchange, and the checks at the end
 * (soak/checks/). Exits 1 when a check fails, with the seed and the history excerpts.
 * docs/reliability.md says what it injects, what it checks and what a run measured.
 */

const RECEIVERS = 3;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const command = `npm run soak -- --seed ${options.seed} --duration ${options.durationS} --kills ${options.kills} --clients ${options.clients} --faults ${[...options.faults].join(",") || "none"}`;
  const random = new Random(options.seed);
  const schedule = drawSchedule(random.fork("schedule"), {
    durationS: options.durationS,
    kills: options.kills,
    kinds: options.faults,
    receivers: RECEIVERS,
  });
  console.log(`soak: seed ${options.seed}, ${options.durationS} s of load, ${options.clients} clients`);
  for (const f of schedule) console.log(`  scheduled: ${describeFault(f)}`);

  const historyFile = options.historyFile ?? join(tmpdir(), `soak-history-${options.seed}.jsonl`);
  const history = new History(historyFile);
  const receivers = new Receivers(
    RECEIVERS,
    () => history.now(),
    (d) => history.delivery({ ...d, body: undefined }),
  );
  await receivers.start();
  const service = await createService();
  console.log(`soak: starting npm start in ${service.dir}`);
  await service.start();
  console.log(`soak: server up at ${service.baseUrl} after ${(history.now() / 1000).toFixed(1)} s`);

  const clientFor = (who: string) => new Client(() => service.baseUrl, service.token, history, who);
  const world = await setUpWorld(clientFor("setup"), random.fork("world"), receivers.urls);
  for (const s of world.subscriptions) receivers.expectSecret(s.url, s.secret);

  const model = new Model();
  const anomalies: { n: number; what: string }[] = [];
  const ctx = { model, world, anomaly: (n: number, what: string) => anomalies.push({ n, what }) };
  const clients = Array.from(
    { length: options.clients },
    (_, i) => new LoadClient(`c${i}`, clientFor(`c${i}`), random.fork(`client-${i}`), ctx),
  );
  const d1 = new D1Outage(join(service.dir, ".wrangler", "state"));
  const injector = new Injector({
    service,
    admin: clientFor("injector"),
    d1,
    receivers,
    history,
    world,
    burst: new LoadClient("burst", clientFor("burst"), random.fork("burst"), ctx),
  });

  const loadStarted = Date.now();
  history.rebase();
  const stopAt = loadStarted + options.durationS * 1000;
  console.log(`soak: load running (${options.durationS} s)…`);
  const progress = setInterval(() => {
    const s = Math.round((Date.now() - loadStarted) / 1000);
    console.log(`  ${s} s: ${history.exchanges.length} requests, ${history.faults.length} faults done`);
  }, 15_000);
  await Promise.all([...clients.map((c) => c.run(stopAt)), injector.run(schedule, loadStarted)]);
  clearInterval(progress);
  const loadS = Math.round((Date.now() - loadStarted) / 1000);

  // Settle: every fault over, short holds expired (so what must read `expired` does).
  await d1.end();
  const heldSoon = [...model.reservations.values()]
    .filter((r) => r.status === "held" && r.expiresAtMs !== null && r.expiresAtMs < Date.now() + 60_000)
    .map((r) => r.expiresAtMs as number);
  const latest = Math.max(Date.now(), ...heldSoon);
  console.log(`soak: load done after ${loadS} s; settling ${Math.ceil((latest + 2_000 - Date.now()) / 1000)} s for short holds to expire`);
  await sleep(latest + 2_000 - Date.now());

  const checker = clientFor("checker");
  const waitMs = options.short ? 60_000 : 240_000;
  const checks: Check[] = [];
  const readback = await checkReservations(checker, model);
  checks.push(readback.check);
  const { checks: itemChecks, facts } = await checkItems(checker, history, model, world.items, readback.openHolds, readback.read, waitMs);
  checks.push(...itemChecks);
  checks.push(await checkPools(checker, world.pooled, facts.levels));
  checks.push(await checkWebhooks(receivers, world.subscriptions, facts.events, WATCH_THRESHOLD, waitMs));
  checks.unshift(...checkAnswers(history, anomalies));

  printFigures(
    {
      seed: options.seed,
      command,
      loadS,
      clients: options.clients,
      downtimeMs: injector.downtimeMs,
      restarts: injector.restarts,
      historyFile,
    },
    history,
    model,
  );
  const pass = printChecks(checks, history, options.seed);
  await history.close();
  await receivers.stop();
  await service.cleanup(options.keep);
  if (options.keep) console.log(`soak: kept the server's copy and state in ${service.dir}`);
  return pass ? 0 : 1;
}

process.once("exit", killAllNow);
process.once("SIGINT", () => {
  void stopAll().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error("soak: the run itself failed (not a check):", error);
    await stopAll();
    process.exit(2);
  },
);
