import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { freePort, HOST } from "../bench/lib/net";
import type { ReceiverMode } from "./schedule";

/**
 * The webhook receivers: local HTTP servers, one per receiver, each path `/<sku>` the URL of
 * one subscription. Each delivery is verified against its subscription's secret (Standard
 * Webhooks) and recorded; the injector switches a receiver's behaviour:
 *   ok     200 at once
 *   slow   200 after 2-6 s (inside the service's 10 s attempt timeout: a success)
 *   500    500 at once (a failed attempt)
 *   hang   never answers while the mode lasts; the socket is dropped when it ends (the service's
 *          attempt times out)
 */

export interface Delivery {
  receiver: number;
  path: string;
  atMs: number;
  webhookId: string;
  verified: boolean;
  error?: string;
  type?: string;
  data?: { sku?: string; warehouse?: string; available?: number };
  body: string;
  /** What the receiver answered; 0 when it hung up without answering. */
  answered: number;
}

export class Receivers {
  readonly deliveries: Delivery[] = [];
  private readonly servers: Server[] = [];
  private readonly modes: ReceiverMode[] = [];
  private readonly hanging: Array<Set<ServerResponse>> = [];
  private readonly secrets = new Map<string, string>();
  readonly urls: string[] = [];

  constructor(
    private readonly count: number,
    private readonly now: () => number,
    /** Told of each delivery once it is answered (or hung up on). */
    private readonly onDelivery: (delivery: Delivery) => void = () => {},
  ) {}

  async start(): Promise<void> {
    for (let r = 0; r < this.count; r++) {
      const port = await freePort();
      const server = createServer((req, res) => this.handle(r, req, res));
      await new Promise<void>((resolve) => server.listen(port, HOST, resolve));
      this.servers.push(server);
      this.modes.push("ok");
      this.hanging.push(new Set());
      this.urls.push(`http://${HOST}:${port}/r${r}`);
    }
  }

  /** The secret deliveries to `url` must be signed with. */
  expectSecret(url: string, secret: string): void {
    this.secrets.set(new URL(url).pathname, secret);
  }

  setMode(receiver: number, mode: ReceiverMode): void {
    this.modes[receiver] = mode;
    if (mode !== "hang") {
      const hung = this.hanging[receiver] ?? new Set();
      for (const res of hung) res.destroy();
      hung.clear();
    }
  }

  private handle(receiver: number, req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const headers = {
        "webhook-id": String(req.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
      };
      const delivery: Delivery = { receiver, path, atMs: this.now(), webhookId: headers["webhook-id"], verified: false, body, answered: 0 };
      const secret = this.secrets.get(path);
      try {
        if (secret === undefined) throw new Error(`no subscription at ${path}`);
        const payload = new Webhook(secret).verify(body, headers) as { type?: string; data?: Delivery["data"] };
        delivery.verified = true;
        delivery.type = payload.type;
        delivery.data = payload.data;
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      this.deliveries.push(delivery);
      const mode = this.modes[receiver] ?? "ok";
      const answer = (status: number) => {
        delivery.answered = status;
        this.onDelivery(delivery);
        res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "failing on purpose");
      };
      if (mode === "hang") {
        this.hanging[receiver]?.add(res);
        res.once("close", () => this.onDelivery(delivery));
      } else if (mode === "500") answer(500);
      else if (mode === "slow") setTimeout(() => answer(200), 2_000 + Math.floor(Math.random() * 4_000));
      else answer(200);
    });
  }

  async stop(): Promise<void> {
    for (const [r] of this.servers.entries()) this.setMode(r, "ok");
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }
}
