import { createRoute } from "@hono/zod-openapi";
import { Health, json } from "./common-schemas";
import { BODY_LIMIT_BYTES } from "./errors";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";

const health = createRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  tags: ["health"],
  summary: "Liveness; needs no token",
  security: [],
  responses: {
    200: json(Health, "The Worker answers"),
    // The body limit guards every route, this one included: the only error it can give.
    413: problem(`payload_too_large: a body over ${BODY_LIMIT_BYTES} bytes`),
  },
});

export const healthRoutes = createRouter().openapi(health, (c) => c.json({ status: "ok" as const }, 200));
