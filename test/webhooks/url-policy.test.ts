import { describe, expect, it } from "vitest";
import { checkWebhookUrl, parseIpv6 } from "../../src/webhooks/url-policy";

const prod = { allowHttp: false };
const dev = { allowHttp: true };

describe("webhook URL policy", () => {
  it.each([
    ["https://erp.example.com/hooks/stock", "https://erp.example.com/hooks/stock"],
    ["https://erp.example.com:8443/h?x=1", "https://erp.example.com:8443/h?x=1"],
    ["HTTPS://ERP.Example.COM/a", "https://erp.example.com/a"],
    ["https://93.184.216.34/hook", "https://93.184.216.34/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"],
  ])("accepts %s", (input, normalized) => {
    expect(checkWebhookUrl(input, prod)).toEqual({ ok: true, url: normalized });
  });

  it.each([
    ["http://erp.example.com/hook", /https/],
    ["ftp://erp.example.com/hook", /https/],
    ["javascript:alert(1)", /https/],
    ["data:text/plain,hi", /https/],
    ["ws://erp.example.com/", /https/],
    ["file:///etc/passwd", /https/],
    ["not a url", /absolute URL/],
    ["/relative/path", /absolute URL/],
    ["", /absolute URL/],
    ["https://user:pass@erp.example.com/", /credentials/],
    ["https://user@erp.example.com/", /credentials/],
    ["https://localhost/hook", /local/],
    ["https://LOCALHOST./hook", /local/],
    ["https://api.localhost/hook", /local/],
    ["https://metadata.google.internal/computeMetadata/v1/", /local/],
    ["https://intranet/hook", /fully qualified/],
    ["https://127.0.0.1/hook", /private/],
    ["https://127.8.9.10/hook", /private/],
    ["https://2130706433/hook", /private/],
    ["https://0x7f.1/hook", /private/],
    ["https://0.0.0.0/hook", /private/],
    ["https://10.1.2.3/hook", /private/],
    ["https://172.16.0.1/hook", /private/],
    ["https://172.31.255.255/hook", /private/],
    ["https://192.168.1.1/hook", /private/],
    ["https://169.254.169.254/latest/meta-data", /private/],
    ["https://100.100.100.200/", /private/],
    ["https://224.0.0.1/", /private/],
    ["https://255.255.255.255/", /private/],
    ["https://[::1]/hook", /private/],
    ["https://[::]/hook", /private/],
    ["https://[0:0:0:0:0:0:0:1]/hook", /private/],
    ["https://[::ffff:127.0.0.1]/hook", /private/],
    ["https://[::ffff:169.254.169.254]/hook", /private/],
    ["https://[64:ff9b::10.0.0.1]/hook", /private/],
    ["https://[fc00::1]/hook", /private/],
    ["https://[fd12:3456::1]/hook", /private/],
    ["https://[fe80::1]/hook", /private/],
    ["https://[febf::1]/hook", /private/],
    ["https://[ff02::1]/hook", /private/],
    [`https://example.com/${"a".repeat(2100)}`, /2048/],
  ])("refuses %s", (input, reason) => {
    const verdict = checkWebhookUrl(input, prod);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it.each(["https://172.15.0.1/", "https://172.32.0.1/", "https://100.63.0.1/", "https://[2001:4860:4860::8888]/"])(
    "accepts public neighbours of private ranges: %s",
    (input) => {
      expect(checkWebhookUrl(input, prod).ok).toBe(true);
    },
  );

  it("allows plain http to 127.0.0.1 and localhost, on any port, only in local development", () => {
    for (const url of ["http://127.0.0.1:8787/hook", "http://localhost:3000/", "http://127.0.0.1/"]) {
      expect(checkWebhookUrl(url, dev).ok).toBe(true);
      expect(checkWebhookUrl(url, prod).ok).toBe(false);
    }
  });

  it("keeps every other rule in local development", () => {
    for (const url of [
      "http://10.0.0.1:8080/",
      "http://192.168.0.2/",
      "http://[::1]:8080/",
      "http://example.com/",
      "http://user:pw@127.0.0.1:8080/",
      "https://localhost/",
      "https://127.0.0.1/",
    ]) {
      expect(checkWebhookUrl(url, dev).ok).toBe(false);
    }
  });

  it("parses the IPv6 forms the URL parser emits", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("fe80::")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6("1::2::3")).toBeNull();
    expect(parseIpv6("1:2:3")).toBeNull();
    expect(parseIpv6("12345::")).toBeNull();
  });
});
