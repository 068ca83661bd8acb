import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { activeFaults, clearFaults, faultActive, faultyQueue, MAX_FAULT_MS, setFault } from "../../src/faults/faults";
import { createApp } from "../../src/http/app";
import { TOKEN } from "../http/client";

/**
 * The soak's fault switches: a pass-through unless FAULT_INJECTION is "true", and when it is,
 * a Queue that refuses or loses its answer while a switch is on, set through a root-only route.
 */

const ON = { FAULT_INJECTION: "true" };

/** A Queue that records what it was given. */
function recordingQueue() {
  const sent: unknown[] = [];
  const queue = {
    metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
    send: async (body: unknown) => {
      sent.push(body);
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      for (const m of messages) sent.push(m.body);
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    },
  } as unknown as Queue<unknown>;
  return { queue, sent };
}

afterEach(() => clearFaults());

describe("fault switches", () => {
  it("are deadlines: on for the given time, then off by themselves", () => {
    setFault("queue.refuse", 1_000, 10_000);
    expect(faultActive("queue.refuse", 10_999)).toBe(true);
    expect(faultActive("queue.refuse", 11_000)).toBe(false);
    expect(activeFaults(11_000)).toEqual([]);
  });

  it("never stay on longer than MAX_FAULT_MS, and 0 turns one off", () => {
    expect(setFault("queue.lose-ack", 10 * MAX_FAULT_MS, 0)).toEqual({ name: "queue.lose-ack", until: MAX_FAULT_MS });
    setFault("queue.lose-ack", 0);
    expect(faultActive("queue.lose-ack", 1)).toBe(false);
  });
});

describe("faultyQueue", () => {
  it('is the Queue itself unless FAULT_INJECTION is exactly "true"', async () => {
    const { queue, sent } = recordingQueue();
    setFault("queue.refuse", 60_000);
    for (const value of [undefined, "false", "TRUE", "1"]) {
      expect(faultyQueue(queue, { FAULT_INJECTION: value })).toBe(queue);
    }
    await faultyQueue(queue, {}).send("a");
    expect(sent).toEqual(["a"]);
  });

  it("sends normally while no switch is on", async () => {
    const { queue, sent } = recordingQueue();
    await faultyQueue(queue, ON).sendBatch([{ body: 1 }, { body: 2 }]);
    await faultyQueue(queue, ON).send(3);
    expect(sent).toEqual([1, 2, 3]);
  });

  it("queue.refuse: throws and sends nothing", async () => {
    const { queue, sent } = recordingQueue();
    setFault("queue.refuse", 60_000);
    await expect(faultyQueue(queue, ON).sendBatch([{ body: 1 }])).rejects.toThrow(/queue\.refuse/);
    await expect(faultyQueue(queue, ON).send(2)).rejects.toThrow(/queue\.refuse/);
    expect(sent).toEqual([]);
  });

  it("queue.lose-ack: sends, then throws as if the answer was lost", async () => {
    const { queue, sent } = recordingQueue();
    setFault("queue.lose-ack", 60_000);
    await expect(faultyQueue(queue, ON).sendBatch([{ body: 1 }])).rejects.toThrow(/queue\.lose-ack/);
    expect(sent).toEqual([1]);
  });
});

describe("/v1/admin/faults", () => {
  const app = createApp();
  async function call(method: string, json: unknown, vars: Record<string, string>, token = TOKEN) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (json !== undefined) headers["content-type"] = "application/json";
    const response = await app.fetch(
      new Request("http://stockflare.test/v1/admin/faults", {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
      }),
      { ...env, ...vars },
      createExecutionContext(),
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('does not exist without FAULT_INJECTION = "true", and changes nothing', async () => {
    for (const vars of [{}, { FAULT_INJECTION: "false" }] as Record<string, string>[]) {
      const r = await call("POST", { name: "queue.refuse", seconds: 5 }, vars);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
    }
    expect(activeFaults()).toEqual([]);
  });

  it("sets, lists and clears switches with the root key", async () => {
    const set = await call("POST", { name: "queue.refuse", seconds: 5 }, ON);
    expect(set.status).toBe(200);
    expect(set.body.faults).toEqual([{ name: "queue.refuse", until: expect.any(Number) }]);
    expect(faultActive("queue.refuse")).toBe(true);
    expect((await call("GET", undefined, ON)).body.faults).toHaveLength(1);
    const cleared = await call("DELETE", undefined, ON);
    expect(cleared.body.faults).toEqual([]);
    expect(faultActive("queue.refuse")).toBe(false);
  });

  it("refuses an unknown switch or a bad duration with 400", async () => {
    for (const body of [{ name: "d1.down", seconds: 5 }, { name: "queue.refuse", seconds: -1 }, { name: "queue.refuse" }, null]) {
      const r = await call("POST", body, ON);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_request");
    }
    expect(activeFaults()).toEqual([]);
  });

  it("needs a token", async () => {
    const r = await call("GET", undefined, ON, "wrong");
    expect(r.status).toBe(401);
  });
});
