import { channelFor } from "../channels/directory";
import { coordinatorFor } from "../reservations/address";
import type { ChangeResult, Shortage } from "../reservations/ReservationCoordinator";
import { json, jsonBody } from "./common-schemas";
import { Problem, problems } from "./problem";
import { problem } from "./problem-schemas";
import { ChangeLinesBody, CreateReservationBody, ExtendReservationBody, Reservation, ReservationParams } from "./reservation-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";

function newReservationId(): string {
  return `res_${crypto.randomUUID().replaceAll("-", "")}`;
}

const createReservation = scopedRoute("reservations", {
  method: "post",
  path: "/v1/reservations",
  operationId: "createReservation",
  tags: ["reservations"],
  summary: "Hold stock for every line, or for none",
  request: { body: jsonBody(CreateReservationBody) },
  responses: {
    201: json(Reservation, "Held"),
    200: json(Reservation, "The existing reservation with this id and these lines"),
    400: problem("invalid_request, or unknown_channel"),
    409: problem("insufficient_stock (nothing held; `shortages`) or idempotency_conflict"),
    503: problem("A stock item could not be reached; nothing held"),
  },
});

const getReservation = scopedRoute("reservations", {
  method: "get",
  path: "/v1/reservations/{id}",
  operationId: "getReservation",
  tags: ["reservations"],
  summary: "Read a reservation",
  request: { params: ReservationParams },
  responses: { 200: json(Reservation, "The reservation"), 404: problem("No such reservation") },
});

const changeResponses = {
  200: json(Reservation, "The reservation after the change (repeats answer unchanged)"),
  404: problem("No such reservation"),
  409: problem("invalid_state: the reservation ended another way; `reservationStatus` says how"),
  503: problem("A stock item could not be reached; retry"),
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
    200: json(Reservation, "The reservation with its new expiresAt"),
    404: problem("No such reservation"),
    409: problem("invalid_state: the reservation is not held"),
    503: problem("A stock item could not be reached; retry"),
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
    200: json(Reservation, "The reservation holding exactly the new lines"),
    400: problem("invalid_request (a line without warehouse on a reservation without channel), or unknown_channel"),
    404: problem("No such reservation"),
    409: problem("insufficient_stock (nothing changed) or invalid_state (not held)"),
    503: problem("A stock item could not be reached; nothing changed, retry"),
  },
});

function insufficientStock(shortages: Shortage[], detail: string): Problem {
  return new Problem(409, "insufficient_stock", "Insufficient stock", detail, { shortages });
}

function changeOutcome(id: string, result: ChangeResult) {
  switch (result.kind) {
    case "ok":
      return result.reservation;
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

export const reservationRoutes = createRouter()
  .openapi(createReservation, async (c) => {
    const body = c.req.valid("json");
    const id = body.id ?? newReservationId();
    const channel = body.channel === undefined ? null : await channelFor(c.env.DB, body.channel);
    if (body.channel !== undefined && channel === null) throw problems.unknownChannel(body.channel);
    const lines = body.lines.map((line) => ({ sku: line.sku, warehouse: line.warehouse ?? null, quantity: line.quantity }));
    const result = await coordinatorFor(c.env, id).place({
      id,
      lines,
      ttlSeconds: body.ttlSeconds,
      channel: channel === null ? null : { id: channel.id, warehouses: channel.warehouses, safetyStock: channel.safetyStock },
      actor: c.get("principal").id,
    });
    switch (result.kind) {
      case "created":
        c.header("location", `/v1/reservations/${encodeURIComponent(id)}`);
        return c.json(result.reservation, 201);
      case "existing":
        return c.json(result.reservation, 200);
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
    const reservation = await coordinatorFor(c.env, id).get(id);
    if (reservation === null) throw problems.notFound(`No reservation ${id}.`);
    return c.json(reservation, 200);
  })
  .openapi(commitReservation, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(changeOutcome(id, await coordinatorFor(c.env, id).commit(id, c.get("principal").id)), 200);
  })
  .openapi(releaseReservation, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(changeOutcome(id, await coordinatorFor(c.env, id).release(id, c.get("principal").id)), 200);
  })
  .openapi(changeLines, async (c) => {
    const { id } = c.req.valid("param");
    const lines = c.req.valid("json").lines.map((line) => ({ sku: line.sku, warehouse: line.warehouse ?? null, quantity: line.quantity }));
    const coordinator = coordinatorFor(c.env, id);
    const actor = c.get("principal").id;
    let result = await coordinator.changeLines({ id, lines, actor });
    if (result.kind === "needs_channel") {
      const channel = await channelFor(c.env.DB, result.channel);
      if (channel === null) throw problems.unknownChannel(result.channel);
      const sourcing = { id: channel.id, warehouses: channel.warehouses, safetyStock: channel.safetyStock };
      result = await coordinator.changeLines({ id, lines, actor, channel: sourcing });
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
        return c.json(changeOutcome(id, result), 200);
    }
  })
  .openapi(extendReservation, async (c) => {
    const { id } = c.req.valid("param");
    const { ttlSeconds } = c.req.valid("json");
    return c.json(changeOutcome(id, await coordinatorFor(c.env, id).extend(id, ttlSeconds, c.get("principal").id)), 200);
  });
