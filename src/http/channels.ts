import type { Channel as StoredChannel } from "../channels/channel";
import { rememberChannel } from "../channels/directory";
import { ChannelStore } from "../channels/store";
import { Channel, ChannelList, ChannelParams, PutChannelBody } from "./channel-schemas";
import { json, jsonBody } from "./common-schemas";
import { problems } from "./problem";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";

function channelBody(channel: StoredChannel) {
  return {
    id: channel.id,
    warehouses: channel.warehouses,
    safetyStock: channel.safetyStock,
    createdAt: new Date(channel.createdAt).toISOString(),
    updatedAt: new Date(channel.updatedAt).toISOString(),
  };
}

const noSuchChannel = (id: string) => problems.notFound(`No channel ${id}.`);

/** Said once, on the write routes: how soon reservations see a change. */
const PROPAGATION = "Reservations in other isolates use the previous definition for up to 10 seconds (each isolate caches channels).";

const putChannel = scopedRoute("admin", {
  method: "put",
  path: "/v1/channels/{channel}",
  operationId: "putChannel",
  tags: ["channels"],
  summary: "Create or replace a sales channel",
  description: `Replacing keeps \`createdAt\`. ${PROPAGATION}`,
  request: { params: ChannelParams, body: jsonBody(PutChannelBody) },
  responses: {
    200: json(Channel, "The channel as stored"),
    400: problem("Invalid request, including a warehouse listed twice (errors[].path `warehouses.<index>`)"),
  },
});

const listChannels = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/channels",
  operationId: "listChannels",
  tags: ["channels"],
  summary: "List sales channels",
  responses: { 200: json(ChannelList, "Every channel, by id") },
});

const getChannel = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/channels/{channel}",
  operationId: "getChannel",
  tags: ["channels"],
  summary: "Read one sales channel",
  request: { params: ChannelParams },
  responses: { 200: json(Channel, "The channel"), 404: problem("No such channel") },
});

const deleteChannel = scopedRoute("admin", {
  method: "delete",
  path: "/v1/channels/{channel}",
  operationId: "deleteChannel",
  tags: ["channels"],
  summary: "Delete a sales channel",
  description: `Deleting a channel that does not exist answers 404, as for webhooks. ${PROPAGATION}`,
  request: { params: ChannelParams },
  responses: { 204: { description: "Deleted" }, 404: problem("No such channel") },
});

export const channelRoutes = createRouter()
  .openapi(putChannel, async (c) => {
    const { channel: id } = c.req.valid("param");
    const body = c.req.valid("json");
    const channel = await new ChannelStore(c.env.DB).put({ id, warehouses: body.warehouses, safetyStock: body.safetyStock }, Date.now());
    rememberChannel(id, channel);
    return c.json(channelBody(channel), 200);
  })
  .openapi(listChannels, async (c) => {
    const channels = await new ChannelStore(c.env.DB).list();
    return c.json({ channels: channels.map(channelBody) }, 200);
  })
  .openapi(getChannel, async (c) => {
    const { channel: id } = c.req.valid("param");
    // From D1, not the isolate cache: this answers what is stored, now.
    const channel = await new ChannelStore(c.env.DB).get(id);
    if (channel === null) throw noSuchChannel(id);
    return c.json(channelBody(channel), 200);
  })
  .openapi(deleteChannel, async (c) => {
    const { channel: id } = c.req.valid("param");
    const deleted = await new ChannelStore(c.env.DB).delete(id);
    rememberChannel(id, null);
    if (!deleted) throw noSuchChannel(id);
    return c.body(null, 204);
  });
