import type { Context } from "hono";
import { channelFor } from "../channels/directory";
import type { Region } from "../regions/regions";
import { newReservationId, regionOfReservationId } from "../regions/reservation-id";
import type { AnsweredReservation, ChangeResult, Shortage } from "../reservations/ReservationCoordinator";
import { json, jsonBody } from "./common-schemas";
import { callCoordinator, serverTimingHeader } from "./coordinator-call";
import { Problem, problems } from "./problem";
import { problem } from "./problem-schemas";
import { ChangeLinesBody, CreateReservationBody, ExtendReservationBody, Reservation, ReservationParams } from "./reservation-schemas";
import { type AppEnv, createRouter } from "./router";
import { scopedRoute } from "./scopes";

/**
 * The reservation routes. Each reaches the reservation's coordinator through `callCoordinator`
 * (src/http/coordinator-call.ts): the id alone says which one (src/reservations/address.ts), the
 * caller's region goes with the call, and every answer that called it carries `Server-Timing`.
 */

/** `Server-Timing` on a route's answers (contract "Regions (v1.2)"): present whenever the coordinator was called. */
function timed<R extends { description: string }>(response: R, required = true) {
  return {
    ...response,
    headers: {
      "Server-Timing": {
        description:
          'W3C Server-Timing: the caller\'s region (`region;desc="weur"`), then each object called with its duration in ms: ' +
          "`coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called",
        required,
        schema: { type: "string" as const },
      },
    },
  };
}

const createReservation = scopedRoute("reservations", {
  method: "post",
  path: "/v1/reservations",
  operationId: "createReservation",
  tags: ["reservations"],
  summary: "Hold stock for every line, or for none",
  request: { body: jsonBody(CreateReservationBody) },
  description:
    "Without `id`, the server makes one in the caller's region (`rsv_<region>_…`): the reservation is then coordinated there. " +
    "A client-chosen `id` is coordinated by its one home coordinator world-wide, which may cost a round trip to another region (docs/regions.md).",
  responses: {
    201: timed(json(Reservation, "Held")),
    200: timed(json(Reservation, "The existing reservation with this id and these lines")),
    400: problem("invalid_request, or unknown_channel"),
    409: timed(problem("insufficient_stock (nothing held; `shortages`) or idempotency_conflict"), false),
    503: timed(problem("A stock item could not be reached; nothing held"), false),
  },
});

const getReservation = scopedRoute("reservations", {
  method: "get",
  path: "/v1/reservations/{id}",
  operationId: "getReservation",
  tags: ["reservations"],
  summary: "Read a reservation",
  request: { params: ReservationParams },
  responses: { 200: timed(json(Reservation, "The reservation")), 404: timed(problem("No such reservation"), false) },
});

const changeResponses = {
  200: timed(json(Reservation, "The reservation after the change (repeats answer unchanged)")),
  404: timed(problem("No such reservation"), false),
  409: timed(problem("invalid_state: the reservation ended another way; `reservationStatus` says how"), false),
  503: timed(problem("A stock item could not be reached; retry"), false),
};

const commitReservation = scopedRoute("reservations", {
  method: "post",
  path: "/v1/reservations/{id}/commit",
  operationId: "commitReservation",
  tags: ["reservations"],
  summary: "Commit: on hand and reserved both drop by each line's quantity",
  request: { params: ReservationParams },
  responses: changeResponses,
});

const releaseReservation = scopedRoute("reservations", {
  method: "post",
  path: "/v1/reservations/{id}/release",
  operationId: "releaseReservation",
  tags: ["reservations"],
  summary: "Release: the quantities return to available",
  request: { params: ReservationParams },
  responses: changeResponses,
});

const extendReservation = scopedRoute("reservations", {
  method: "post",
  path: "/v1/reservations/{id}/extend",
  operationId: "extendReservation",
  tags: ["reservations"],
  summary: "Extend a held reservation: expiresAt becomes the later of itself and now + ttlSeconds, on every line",
  description:
    "A reservation whose expiry falls during the call is expired as a whole (409 invalid_state, reservationStatus expired), never extended on some lines only.",
  request: { params: ReservationParams, body: jsonBody(ExtendReservationBody) },
  responses: {
    200: timed(json(Reservation, "The reservation with its new expiresAt")),
    404: timed(problem("No such reservation"), false),
    409: timed(problem("invalid_state: the reservation is not held"), false),
    503: timed(problem("A stock item could not be reached; retry"), false),
  },
});

const changeLines = scopedRoute("reservations", {
  method: "put",
  path: "/v1/reservations/{id}/lines",
  operationId: "changeReservationLines",
  tags: ["reservations"],
  summary: "Replace a held reservation's lines, all or nothing; expiresAt unchanged",
  description:
    "Items whose quantity grows hold the larger quantity before anything is let go; if any cannot, 409 insufficient_stock " +
    "(a shortage's `available` is what this reservation could hold of that item: its current hold plus what is available) " +
    "and the reservation keeps its previous lines and holds exactly.",
  request: { params: ReservationParams, body: jsonBody(ChangeLinesBody) },
  responses: {
    200: timed(json(Reservation, "The reservation holding exactly the new lines")),
    400: timed(problem("invalid_request (a line without warehouse on a reservation without channel), or unknown_channel"), false),
    404: timed(problem("No such reservation"), false),
    409: timed(problem("insufficient_stock (nothing changed) or invalid_state (not held)"), false),
    503: timed(problem("A stock item could not be reached; nothing changed, retry"), false),
  },
});

function insufficientStock(shortages: Shortage[], detail: string): Problem {
  return new Problem(409, "insufficient_stock", "Insufficient stock", detail, { shortages });
}

/**
 * The reservation as answered: with `region`, where it is coordinated. A coordinator older than
 * regions (met only while a deploy is under way) does not say; then the id's region, else the
 * caller's (a global coordinator's first callers after the deploy name its region the same way).
 */
function answered(reservation: AnsweredReservation, caller: Region) {
  return { ...reservation, region: reservation.region ?? regionOfReservationId(reservation.id) ?? caller };
}

function changeOutcome(c: Context<AppEnv>, id: string, result: ChangeResult) {
  switch (result.kind) {
    case "ok":
      return answered(result.reservation, c.get("region"));
    case "not_found":
      throw problems.notFound(`No reservation ${id}.`);
    case "invalid_state":
      throw new Problem(409, "invalid_state", "Invalid state", `Reservation ${id} is ${result.status}.`, {
        reservationStatus: result.status,
      });
    case "unavailable":
      throw problems.unavailable();
  }
}

const router = createRouter();
router.use("/v1/reservations", serverTimingHeader());
router.use("/v1/reservations/*", serverTimingHeader());

export const reservationRoutes = router
  .openapi(createReservation, async (c) => {
    const body = c.req.valid("json");
    const region = c.get("region");
    const id = body.id ?? newReservationId(region);
    const channel = body.channel === undefined ? null : await channelFor(c.env.DB, body.channel);
    if (body.channel !== undefined && channel === null) throw problems.unknownChannel(body.channel);
    const lines = body.lines.map((line) => ({ sku: line.sku, warehouse: line.warehouse ?? null, quantity: line.quantity }));
    const result = await callCoordinator(c, id, (coordinator) =>
      coordinator.place({
        id,
        lines,
        ttlSeconds: body.ttlSeconds,
        channel: channel === null ? null : { id: channel.id, warehouses: channel.warehouses, safetyStock: channel.safetyStock },
        actor: c.get("principal").id,
        region,
      }),
    );
    switch (result.kind) {
      case "created":
        c.header("location", `/v1/reservations/${encodeURIComponent(id)}`);
        return c.json(answered(result.reservation, region), 201);
      case "existing":
        return c.json(answered(result.reservation, region), 200);
      case "idempotency_conflict":
        throw new Problem(
          409,
          "idempotency_conflict",
          "Idempotency conflict",
          `Reservation ${id} exists with other lines or another channel.`,
        );
      case "insufficient_stock":
        throw insufficientStock(result.shortages, "Not enough stock; nothing was held.");
      case "unavailable":
        throw problems.unavailable();
    }
  })
  .openapi(getReservation, async (c) => {
    const { id } = c.req.valid("param");
    const reservation = await callCoordinator(c, id, (coordinator, region) => coordinator.get(id, region));
    if (reservation === null) throw problems.notFound(`No reservation ${id}.`);
    return c.json(answered(reservation, c.get("region")), 200);
  })
  .openapi(commitReservation, async (c) => {
    const { id } = c.req.valid("param");
    const actor = c.get("principal").id;
    return c.json(changeOutcome(c, id, await callCoordinator(c, id, (coordinator, region) => coordinator.commit(id, actor, region))), 200);
  })
  .openapi(releaseReservation, async (c) => {
    const { id } = c.req.valid("param");
    const actor = c.get("principal").id;
    return c.json(changeOutcome(c, id, await callCoordinator(c, id, (coordinator, region) => coordinator.release(id, actor, region))), 200);
  })
  .openapi(changeLines, async (c) => {
    const { id } = c.req.valid("param");
    const lines = c.req.valid("json").lines.map((line) => ({ sku: line.sku, warehouse: line.warehouse ?? null, quantity: line.quantity }));
    const actor = c.get("principal").id;
    let result = await callCoordinator(c, id, (coordinator, region) => coordinator.changeLines({ id, lines, actor, region }));
    if (result.kind === "needs_channel") {
      const channel = await channelFor(c.env.DB, result.channel);
      if (channel === null) throw problems.unknownChannel(result.channel);
      const sourcing = { id: channel.id, warehouses: channel.warehouses, safetyStock: channel.safetyStock };
      result = await callCoordinator(c, id, (coordinator, region) =>
        coordinator.changeLines({ id, lines, actor, channel: sourcing, region }),
      );
    }
    switch (result.kind) {
      case "insufficient_stock":
        throw insufficientStock(result.shortages, "Not enough stock for the new lines; the reservation keeps its previous lines.");
      case "unsourceable":
        throw problems.invalidRequest(
          result.indices.map((i) => ({
            path: `lines.${i}.warehouse`,
            message: "the reservation has no channel to source a line without a warehouse",
          })),
        );
      case "needs_channel":
        throw problems.unavailable();
      default:
        return c.json(changeOutcome(c, id, result), 200);
    }
  })
  .openapi(extendReservation, async (c) => {
    const { id } = c.req.valid("param");
    const { ttlSeconds } = c.req.valid("json");
    const actor = c.get("principal").id;
    return c.json(
      changeOutcome(c, id, await callCoordinator(c, id, (coordinator, region) => coordinator.extend(id, ttlSeconds, actor, region))),
      200,
    );
  });
