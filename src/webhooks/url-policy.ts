/**
 * Which URLs a webhook may target. The Worker posts to these URLs on its own, so a URL is a
 * request the service makes on the subscriber's behalf: only public https endpoints, never an
 * address inside a network (private, loopback, link-local, cloud metadata), never credentials
 * embedded in the URL (they would be logged and shown back in listings).
 *
 * Local development (`WEBHOOK_ALLOW_HTTP` = "true") also allows exactly `http://127.0.0.1` and
 * `http://localhost`, on any port, so a receiver on the developer's machine can subscribe.
 *
 * Names are checked as written; they are not resolved (a Worker cannot resolve DNS), and
 * Cloudflare's outbound fetch does not reach private networks anyway. Literal addresses are
 * checked after the WHATWG URL parser has normalized them, so `https://2130706433/`,
 * `https://0x7f.1/` and `https://[::ffff:127.0.0.1]/` are all seen as loopback.
 */

export const MAX_URL_LENGTH = 2048;

export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

export interface UrlPolicyOptions {
  allowHttp: boolean;
}

const LOCAL_DEV_HOSTS = new Set(["127.0.0.1", "localhost"]);
const BLOCKED_NAMES = new Set(["localhost", "metadata.google.internal", "metadata"]);

export function checkWebhookUrl(input: string, options: UrlPolicyOptions): UrlVerdict {
  if (input.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse("must be an absolute URL");
  }
  if (url.username !== "" || url.password !== "") return refuse("must not contain credentials");
  if (url.protocol === "http:") {
    if (options.allowHttp && LOCAL_DEV_HOSTS.has(url.hostname)) return { ok: true, url: url.href };
    return refuse(options.allowHttp ? "must use https (plain http is allowed only for 127.0.0.1 and localhost)" : "must use https");
  }
  if (url.protocol !== "https:") return refuse("must use https");
  const hostProblem = publicHostProblem(url.hostname);
  if (hostProblem !== null) return refuse(hostProblem);
  return { ok: true, url: url.href };
}

function refuse(reason: string): UrlVerdict {
  return { ok: false, reason };
}

/** Why `hostname` (as the URL parser normalized it) is not a public host, or null. */
function publicHostProblem(hostname: string): string | null {
  if (hostname.startsWith("[")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    if (groups === null) return "has an invalid IPv6 address";
    return isPublicIpv6(groups) ? null : "must not target a private, loopback or link-local address";
  }
  const v4 = parseIpv4(hostname);
  if (v4 !== null) {
    return isPublicIpv4(v4) ? null : "must not target a private, loopback or link-local address";
  }
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (BLOCKED_NAMES.has(name) || name.endsWith(".localhost") || name.endsWith(".internal")) {
    return "must not target a local or internal host name";
  }
  if (!name.includes(".")) return "must be a public, fully qualified host name";
  return null;
}

/** Dotted-quad only: the URL parser has already turned every other IPv4 form into one. */
export function parseIpv4(host: string): [number, number, number, number] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (match === null) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return parts as [number, number, number, number];
}

function isPublicIpv4([a, b, c]: [number, number, number, number]): boolean {
  if (a === 0) return false; // "this network", incl. 0.0.0.0
  if (a === 10) return false; // private
  if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT (and some metadata services)
  if (a === 127) return false; // loopback
  if (a === 169 && b === 254) return false; // link-local, incl. 169.254.169.254 metadata
  if (a === 172 && b >= 16 && b <= 31) return false; // private
  if (a === 192 && b === 0 && c === 0) return false; // IETF protocol assignments
  if (a === 192 && b === 168) return false; // private
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a >= 224) return false; // multicast, reserved, broadcast
  return true;
}

/**
 * Eight 16-bit groups, or null. Only the form the URL parser serializes (hex groups with at
 * most one `::`): it has already rewritten any dotted IPv4 tail as two hex groups.
 */
export function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const groups = part.split(":");
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const left = parse(halves[0] ?? "");
  const right = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if (left === null || right === null) return null;
  const known = left.length + right.length;
  if (halves.length === 1) return known === 8 ? left : null;
  if (known > 7) return null;
  return [...left, ...new Array<number>(8 - known).fill(0), ...right];
}

function isPublicIpv6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return false; // :: and ::1
  const embedded = (): [number, number, number, number] => [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  if (zeroPrefix && g5 === 0xffff) return isPublicIpv4(embedded()); // IPv4-mapped
  if (zeroPrefix && g5 === 0) return isPublicIpv4(embedded()); // IPv4-compatible (deprecated)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPublicIpv4(embedded()); // NAT64 reaches the embedded IPv4 address
  }
  if ((g0 & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return false; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return false; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  return true;
}
