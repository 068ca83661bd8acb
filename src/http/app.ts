import { bodyLimit } from "hono/body-limit";
import { availabilityRoutes } from "./availability";
import { bearerAuth } from "./auth";
import { channelRoutes } from "./channels";
import { guardD1 } from "./d1-guard";
import { BODY_LIMIT_BYTES, notFound, onError } from "./errors";
import { eventRoutes } from "./events";
import { healthRoutes } from "./health";
import { problems } from "./problem";
import { reservationRoutes } from "./reservations";
import { createRouter } from "./router";
import { stockRoutes } from "./stock";
import { webhookRoutes } from "./webhooks";

/** The public HTTP API (../shared/api-contract.md): Hono, validated by zod, errors as problem+json. */
export function createApp() {
  const app = createRouter();
  app.onError(onError);
  app.notFound(notFound(() => app.routes));

  app.use("*", bodyLimit({ maxSize: BODY_LIMIT_BYTES, onError: () => { throw problems.payloadTooLarge(BODY_LIMIT_BYTES); } }));
  app.route("/", healthRoutes);
  app.use("/v1/*", bearerAuth());
  app.use("/v1/*", guardD1());
  app.route("/", stockRoutes);
  app.route("/", reservationRoutes);
  app.route("/", availabilityRoutes);
  app.route("/", webhookRoutes);
  app.route("/", eventRoutes);
  app.route("/", channelRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "stockflare",
      version: "1.0.0",
      description: "Edge inventory: exact stock levels and all-or-nothing reservations.",
    },
    security: [{ bearer: [] }],
  });
  return app;
}
