import { z } from "@hono/zod-openapi";
import { SCOPES } from "../keys/scopes";
import { Identifier, Timestamp } from "./common-schemas";

/** Request and response shapes of `/v1/keys` (contract: "API keys, scopes, rate limits and attribution (v1.1)"). */

const distinct = <T>(values: T[], ctx: z.RefinementCtx, what: string) => {
  const seen = new Set<T>();
  values.forEach((value, index) => {
    if (seen.has(value)) ctx.addIssue({ code: "custom", path: [index], message: `${String(value)} is listed twice: each ${what} once` });
    seen.add(value);
  });
};

export const KeyParams = z.object({
  id: z
    .string()
    .regex(/^key_[A-Za-z0-9_-]{16}$/, "a key id: key_ and 16 characters")
    .openapi({ param: { name: "id", in: "path" }, example: "key_3q2-7wX0aB1cD2eF" }),
});

export const CreateKeyBody = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: "web shop checkout" }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .superRefine((scopes, ctx) => distinct(scopes, ctx, "scope"))
      .openapi({ example: ["stock:read", "reservations"] }),
    warehouses: z
      .array(Identifier)
      .min(1)
      .max(100)
      .superRefine((warehouses, ctx) => distinct(warehouses, ctx, "warehouse"))
      .optional()
      .openapi({ description: "`stock:write` only in these warehouses; omitted: any" }),
  })
  .openapi("CreateKey", { example: { name: "web shop", scopes: ["stock:read", "reservations"] } });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    warehouses: z.array(z.string()).nullable(),
    createdAt: Timestamp,
  })
  .openapi("ApiKey");

export const CreatedKey = ApiKey.extend({
  token: z.string().openapi({ description: "`sfk_` + 32 random bytes, base64url: shown only here, stored only as a hash" }),
}).openapi("CreatedKey");

export const KeyList = z.object({ keys: z.array(ApiKey) }).openapi("KeyList");
