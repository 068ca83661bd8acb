import { readFile } from "node:fs/promises";
import { SourceMap, type SourceMapPayload } from "node:module";

/**
 * A V8 CPU profile of the Worker's isolate, taken through workerd's inspector (the Chrome
 * DevTools protocol), and a summary of where its time went, mapped back to source files
 * through the bundle's source map.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Profiles the isolate behind `wsUrl` while `work` runs, sampling every `intervalUs` µs. Sampling
 * costs the isolate's thread CPU of its own, even while idle (about 0.05 cores at 500 µs locally).
 */
export async function profileWhile<T>(
  wsUrl: string,
  work: () => Promise<T>,
  intervalUs = 500,
): Promise<{ result: T; profile: CpuProfile }> {
  const socket = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${wsUrl}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 60_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: intervalUs });
    await send("Profiler.start");
    const result = await work();
    const stopped = (await send("Profiler.stop")) as { profile: CpuProfile };
    await send("Profiler.disable");
    return { result, profile: stopped.profile };
  } finally {
    socket.close();
  }
}

export interface ProfileSummary {
  /** Milliseconds of samples in the profile. */
  totalMs: number;
  /** Share of the samples per bucket (idle, native, GC, library or source folder). */
  buckets: { bucket: string; ms: number; share: number }[];
  /** The functions with the most self time. */
  top: { fn: string; source: string; ms: number; share: number }[];
}

/** Which part of the system a source file belongs to. */
function bucketOf(source: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (nm?.[1] !== undefined) return nm[1];
  const src = /(?:^|\/)src\/([^/]+)\//.exec(source);
  if (src?.[1] !== undefined) return `src/${src[1]}`;
  return source === "" ? "(runtime)" : source.replace(/^.*\//, "");
}

export async function summarize(profile: CpuProfile, bundlePath: string, mapPath: string): Promise<ProfileSummary> {
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(await readFile(mapPath, "utf8")) as SourceMapPayload);
  } catch {
    map = undefined;
  }
  const bundleName = bundlePath.replace(/^.*\//, "");
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next sample.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const buckets = new Map<string, number>();
  const functions = new Map<string, { fn: string; source: string; ms: number }>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let source = url;
    let fn = functionName || "(anonymous)";
    if (functionName === "(idle)") source = "(idle: waiting for I/O or work)";
    else if (functionName === "(program)") source = "(program: native code, outside JS)";
    else if (functionName === "(garbage collector)") source = "(garbage collector)";
    else if (url.endsWith(bundleName) && map !== undefined) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; name?: string };
      source = entry.originalSource ?? url;
      fn = functionName || entry.name || fn;
    }
    const bucket = source.startsWith("(") ? source : bucketOf(source);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
    const key = `${fn} ${source}`;
    const f = functions.get(key) ?? { fn, source: source.replace(/^.*node_modules\//, "").replace(/^.*\/src\//, "src/"), ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const share = (ms: number) => (totalMs > 0 ? ms / totalMs : 0);
  return {
    totalMs,
    buckets: [...buckets.entries()].map(([bucket, ms]) => ({ bucket, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    top: [...functions.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15)
      .map((f) => ({ ...f, share: share(f.ms) })),
  };
}

/**
 * For each pattern, the share of the profile's busy samples (idle excluded) whose stack holds a
 * frame from a source file matching it (through the bundle's source map): inclusive time, so
 * the native calls a function makes (a socket's `send`) count for it.
 */
export async function inclusiveShares(
  profile: CpuProfile,
  bundlePath: string,
  mapPath: string,
  patterns: { label: string; source: RegExp }[],
): Promise<{ busyMs: number; shares: { label: string; share: number }[] }> {
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(await readFile(mapPath, "utf8")) as SourceMapPayload);
  } catch {
    map = undefined;
  }
  const bundleName = bundlePath.replace(/^.*\//, "");
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const sourceOf = new Map<number, string>();
  const source = (node: ProfileNode): string => {
    const known = sourceOf.get(node.id);
    if (known !== undefined) return known;
    const { url, lineNumber, columnNumber } = node.callFrame;
    let found = url;
    if (map !== undefined && url.endsWith(bundleName)) {
      found = (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }).originalSource ?? url;
    }
    sourceOf.set(node.id, found);
    return found;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let busyMs = 0;
  const hits = patterns.map(() => 0);
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number);
    if (node === undefined || node.callFrame.functionName === "(idle)") continue;
    const ms = (deltas[i + 1] ?? 0) / 1000;
    busyMs += ms;
    const matched = patterns.map(() => false);
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id);
      if (frame === undefined) break;
      const s = source(frame);
      patterns.forEach((p, k) => {
        if (p.source.test(s)) matched[k] = true;
      });
    }
    matched.forEach((m, k) => {
      if (m) hits[k] = (hits[k] ?? 0) + ms;
    });
  }
  return { busyMs, shares: patterns.map((p, k) => ({ label: p.label, share: busyMs > 0 ? (hits[k] ?? 0) / busyMs : 0 })) };
}

/** A role of the system, recognised by the sources of the frames that run on its behalf. */
export interface RolePattern {
  role: string;
  source: RegExp;
  /** Names the role only when no other role's frame is on the stack (a wrapper around every role's code). */
  fallback?: boolean;
}

export interface RoleTimes {
  /** Busy milliseconds of samples (idle excluded). */
  busyMs: number;
  /** Per role: the busy samples whose stack, read from its root, first reaches one of the role's sources. */
  roles: { role: string; ms: number }[];
  /** Busy samples with JavaScript frames but none of any role's sources. */
  otherJsMs: number;
  /** Where those start: the root-most frame (function and file), the largest first. */
  otherJsRoots: { root: string; ms: number }[];
  /** Busy samples outside JavaScript: the runtime's own work (`(program)`) and garbage collection. */
  runtimeMs: number;
}

/**
 * Splits a profile's busy time between roles. Locally the Worker and every Durable Object run
 * on one isolate thread, but each sample's stack starts where the runtime entered JavaScript:
 * a Worker's `fetch`, an object's RPC method or alarm, or an `await`'s continuation in the code
 * that awaited. Read from that root up, the first frame whose source belongs to a role names
 * the role the sample worked for (frames of shared code, like a library called from both, are
 * passed over until one does). Samples outside JavaScript (the runtime serialising RPC calls,
 * committing storage, collecting garbage) have no stack and stay unattributed.
 */
export async function roleTimes(profile: CpuProfile, bundlePath: string, mapPath: string, patterns: RolePattern[]): Promise<RoleTimes> {
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(await readFile(mapPath, "utf8")) as SourceMapPayload);
  } catch {
    map = undefined;
  }
  const bundleName = bundlePath.replace(/^.*\//, "");
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const patternOfNode = new Map<number, RolePattern | null>();
  const sourceOf = (node: ProfileNode): string => {
    const { url, lineNumber, columnNumber } = node.callFrame;
    if (map !== undefined && url.endsWith(bundleName)) {
      return (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }).originalSource ?? url;
    }
    return url;
  };
  const framePattern = (node: ProfileNode): RolePattern | null => {
    const known = patternOfNode.get(node.id);
    if (known !== undefined) return known;
    const source = sourceOf(node);
    const pattern = source === "" ? null : (patterns.find((p) => p.source.test(source)) ?? null);
    patternOfNode.set(node.id, pattern);
    return pattern;
  };
  /** Per node: the role its stack's root-most role frame names (fallback roles only when no other). */
  const stackRole = new Map<number, string | null>();
  const rootFrame = new Map<number, string>();
  const roleOf = (id: number): string | null => {
    if (stackRole.has(id)) return stackRole.get(id) ?? null;
    const chain: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(at);
    let found: string | null = null;
    let fallback: string | null = null;
    let root: string | undefined;
    for (let k = chain.length - 1; k >= 0 && found === null; k--) {
      const node = byId.get(chain[k] as number);
      if (node === undefined) continue;
      const source = sourceOf(node);
      if (root === undefined && source !== "") root = `${node.callFrame.functionName || "(anonymous)"} ${source.replace(/^.*\//, "")}`;
      const pattern = framePattern(node);
      if (pattern?.fallback) fallback ??= pattern.role;
      else if (pattern !== null) found = pattern.role;
    }
    const role = found ?? fallback;
    stackRole.set(id, role);
    if (role === null) rootFrame.set(id, root ?? "(no source)");
    return role;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byRole = new Map<string, number>(patterns.map((p) => [p.role, 0]));
  let busyMs = 0;
  let otherJsMs = 0;
  let runtimeMs = 0;
  const otherRoots = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number);
    const name = node?.callFrame.functionName;
    if (node === undefined || name === "(idle)") continue;
    const ms = (deltas[i + 1] ?? 0) / 1000;
    busyMs += ms;
    if (name === "(program)" || name === "(garbage collector)" || name === "(root)") {
      runtimeMs += ms;
      continue;
    }
    const role = roleOf(node.id);
    if (role === null) {
      otherJsMs += ms;
      const root = rootFrame.get(node.id) ?? "(no source)";
      otherRoots.set(root, (otherRoots.get(root) ?? 0) + ms);
    } else byRole.set(role, (byRole.get(role) ?? 0) + ms);
  }
  const otherJsRoots = [...otherRoots.entries()]
    .map(([root, ms]) => ({ root, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  return { busyMs, roles: [...byRole.entries()].map(([role, ms]) => ({ role, ms })), otherJsMs, otherJsRoots, runtimeMs };
}
