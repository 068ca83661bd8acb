import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { authenticate } from "./auth";
import { availabilityRoutes } from "./availability";
import { channelRoutes } from "./channels";
import { guardD1 } from "./d1-guard";
import { BODY_LIMIT_BYTES, notFound, onError } from "./errors";
import { eventRoutes } from "./events";
import { faultRoutes } from "./faults";
import { healthRoutes } from "./health";
import { keyRoutes } from "./keys";
import { servedOpenApiConfig } from "./openapi";
import { problems } from "./problem";
import { callerRegionOf } from "./region";
import { reservationRoutes } from "./reservations";
import { createRouter } from "./router";
import { stockRoutes } from "./stock";
import { webhookRoutes } from "./webhooks";

/** The public HTTP API (docs/api.md): Hono, validated by zod, errors as problem+json. */
export function createApp() {
  const app = createRouter();
  app.onError(onError);
  app.notFound(notFound(() => app.routes));

  app.use(
    "*",
    bodyLimit({
      maxSize: BODY_LIMIT_BYTES,
      onError: () => {
        throw problems.payloadTooLarge(BODY_LIMIT_BYTES);
      },
    }),
  );
  app.route("/", healthRoutes);
  // First, so the key lookup's D1 reads are guarded too (an unreachable D1 is a 503).
  app.use("/v1/*", guardD1());
  // The OpenAPI document is public (contract v1.1), so documentation pages and generators can read it.
  app.use("/v1/*", except("/v1/openapi.json", authenticate()));
  app.use("/v1/*", callerRegionOf());
  app.route("/", stockRoutes);
  app.route("/", reservationRoutes);
  app.route("/", availabilityRoutes);
  app.route("/", webhookRoutes);
  app.route("/", eventRoutes);
  app.route("/", channelRoutes);
  app.route("/", keyRoutes);
  // Local development only (FAULT_INJECTION = "true", set by the soak): 404 everywhere else.
  app.route("/", faultRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/v1/openapi.json", (c) => servedOpenApiConfig(c.req.url));
  return app;
}
