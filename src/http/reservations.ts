import { createRoute } from "@hono/zod-openapi";
import { coordinatorFor } from "../reservations/address";
import type { ChangeResult } from "../reservations/ReservationCoordinator";
import { Problem, problems } from "./problem";
import { createRouter } from "./router";
import { CreateReservationBody, json, jsonBody, problem, Reservation, ReservationParams } from "./schemas";

function newReservationId(): string {
  return `res_${crypto.randomUUID().replaceAll("-", "")}`;
}

const createReservation = createRoute({
  method: "post",
  path: "/v1/reservations",
  summary: "Hold stock for every line, or for none",
  request: { body: jsonBody(CreateReservationBody) },
  responses: {
    201: json(Reservation, "Held"),
    200: json(Reservation, "The existing reservation with this id and these lines"),
    400: problem("Invalid request"),
    409: problem("insufficient_stock (nothing held) or idempotency_conflict"),
    503: problem("A stock item could not be reached; nothing held"),
  },
});

const getReservation = createRoute({
  method: "get",
  path: "/v1/reservations/{id}",
  summary: "Read a reservation",
  request: { params: ReservationParams },
  responses: { 200: json(Reservation, "The reservation"), 404: problem("No such reservation") },
});

const changeResponses = {
  200: json(Reservation, "The reservation after the change (repeats answer unchanged)"),
  404: problem("No such reservation"),
  409: problem("invalid_state: the reservation ended another way"),
  503: problem("A stock item could not be reached; retry"),
};

const commitReservation = createRoute({
  method: "post",
  path: "/v1/reservations/{id}/commit",
  summary: "Commit: on hand and reserved both drop by each line's quantity",
  request: { params: ReservationParams },
  responses: changeResponses,
});

const releaseReservation = createRoute({
  method: "post",
  path: "/v1/reservations/{id}/release",
  summary: "Release: the quantities return to available",
  request: { params: ReservationParams },
  responses: changeResponses,
});

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
    const result = await coordinatorFor(c.env, id).place({ id, lines: body.lines, ttlSeconds: body.ttlSeconds });
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
          `Reservation ${id} exists with other lines.`,
        );
      case "insufficient_stock":
        throw new Problem(409, "insufficient_stock", "Insufficient stock", "Not enough stock; nothing was held.", {
          shortages: result.shortages,
        });
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
    return c.json(changeOutcome(id, await coordinatorFor(c.env, id).commit(id)), 200);
  })
  .openapi(releaseReservation, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(changeOutcome(id, await coordinatorFor(c.env, id).release(id)), 200);
  });
