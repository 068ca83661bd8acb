import { rememberKey } from "../keys/directory";
import { KeyStore, type ApiKey as StoredKey } from "../keys/store";
import { hashToken, newKeyId, newToken } from "../keys/token";
import { json, jsonBody } from "./common-schemas";
import { ApiKey, CreatedKey, CreateKeyBody, KeyList, KeyParams } from "./key-schemas";
import { problems } from "./problem";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";

function keyBody(key: StoredKey) {
  return { id: key.id, name: key.name, scopes: key.scopes, warehouses: key.warehouses, createdAt: new Date(key.createdAt).toISOString() };
}

const noSuchKey = (id: string) => problems.notFound(`No key ${id}.`);

const createKey = scopedRoute("admin", {
  method: "post",
  path: "/v1/keys",
  operationId: "createApiKey",
  tags: ["keys"],
  summary: "Create a scoped API key; its token is shown only in this answer",
  request: { body: jsonBody(CreateKeyBody) },
  responses: { 201: json(CreatedKey, "The key and its token") },
});

const listKeys = scopedRoute("admin", {
  method: "get",
  path: "/v1/keys",
  operationId: "listApiKeys",
  tags: ["keys"],
  summary: "List the live keys (never their tokens)",
  responses: { 200: json(KeyList, "Oldest first") },
});

const getKey = scopedRoute("admin", {
  method: "get",
  path: "/v1/keys/{id}",
  operationId: "getApiKey",
  tags: ["keys"],
  summary: "Read one key (never its token)",
  request: { params: KeyParams },
  responses: { 200: json(ApiKey, "The key"), 404: problem("No such key") },
});

const deleteKey = scopedRoute("admin", {
  method: "delete",
  path: "/v1/keys/{id}",
  operationId: "deleteApiKey",
  tags: ["keys"],
  summary: "Delete a key: refused with 401 within 10 s everywhere (at once by the isolate that deleted it)",
  request: { params: KeyParams },
  responses: { 204: { description: "Deleted" }, 404: problem("No such key") },
});

export const keyRoutes = createRouter()
  .openapi(createKey, async (c) => {
    const body = c.req.valid("json");
    const token = newToken();
    const tokenHash = await hashToken(token);
    const key: StoredKey = {
      id: newKeyId(),
      name: body.name,
      scopes: body.scopes,
      warehouses: body.warehouses ?? null,
      createdAt: Date.now(),
    };
    await new KeyStore(c.env.DB).create(key, tokenHash);
    rememberKey(tokenHash, key);
    c.header("location", `/v1/keys/${key.id}`);
    return c.json({ ...keyBody(key), token }, 201);
  })
  .openapi(listKeys, async (c) => c.json({ keys: (await new KeyStore(c.env.DB).list()).map(keyBody) }, 200))
  .openapi(getKey, async (c) => {
    const { id } = c.req.valid("param");
    const key = await new KeyStore(c.env.DB).get(id);
    if (key === null) throw noSuchKey(id);
    return c.json(keyBody(key), 200);
  })
  .openapi(deleteKey, async (c) => {
    const { id } = c.req.valid("param");
    const tokenHash = await new KeyStore(c.env.DB).delete(id, Date.now());
    if (tokenHash === null) throw noSuchKey(id);
    rememberKey(tokenHash, null);
    return c.body(null, 204);
  });
