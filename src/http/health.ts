import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "./router";
import { Health, json } from "./schemas";

const health = createRoute({
  method: "get",
  path: "/v1/health",
  summary: "Liveness; needs no token",
  security: [],
  responses: { 200: json(Health, "The Worker answers") },
});

export const healthRoutes = createRouter().openapi(health, (c) => c.json({ status: "ok" as const }, 200));
