import { snapshotSources, startMiniflare } from "./targets/worker";
import { stopAll } from "./lib/procs";
import { profileWhile, summarize } from "./lib/inspector";
import autocannon from "autocannon";
const root = "/work/main";
try {
  const snap = await snapshotSources(root);
  const t = await startMiniflare(root, snap, { inspector: true });
  const h = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
  await fetch(`${t.baseUrl}/v1/stock/P/w`, { method: "PUT", headers: h, body: JSON.stringify({ onHand: 1000000 }) });
  let n = 0;
  const { result, profile } = await profileWhile(`ws://127.0.0.1:${t.inspectorPort}/core:user:stockflare`, () => autocannon({ url: t.baseUrl, connections: 32, duration: 5, requests: [{ method: "POST", path: "/v1/reservations", headers: h, setupRequest: (r: any) => ({ ...r, body: JSON.stringify({ id: `p${n++}`, lines: [{ sku: "P", warehouse: "w", quantity: 1 }] }) }) }] }));
  console.log("rps", result.requests.average, result["2xx"], result.non2xx);
  const s = await summarize(profile, t.bundle, t.bundle + ".map");
  console.log("total", s.totalMs);
  for (const b of s.buckets) console.log(b.bucket, b.ms.toFixed(0), (b.share*100).toFixed(1));
  for (const f of s.top) console.log(f.fn, f.source, f.ms.toFixed(0), (f.share*100).toFixed(1));
} finally { await stopAll(); }
