import { poolMember } from "../objects/pool";
import type { Region } from "../regions/regions";
import { regionOfReservationId } from "../regions/reservation-id";

/**
 * How reservations are addressed: a pure function of the id, so any Worker anywhere finds a
 * reservation's coordinator without a look-up, and every read, commit and release of an id
 * meets the one object that keeps its record (no fan-out across regions is ever needed).
 *
 * Coordinators are pooled, so placing a reservation reaches an object that already exists
 * instead of creating one (about 4 to 5 ms of CPU locally, a first-time placement in
 * production) for every checkout. Two kinds of pool (docs/regions.md):
 *
 * - **Regional** (v1.2): an id that names a region (`rsv_<region>_…`, src/regions/reservation-id.ts;
 *   the server makes such ids in the caller's region) goes to one of `REGIONAL_POOL_SIZE`
 *   coordinators of that region, created there by location hint. Placing, reading and settling
 *   it from its region never leaves the region except to call the stock.
 * - **Global** (v1.1): every other id (one a client chose, v1.1's `res_…`) goes to one of
 *   `COORDINATOR_POOL_SIZE` coordinators without hint, each created near its first request.
 *   That coordinator is the id's one home world-wide: the same id sent from two regions at
 *   once meets one object and never holds twice. The price is a round trip to wherever that
 *   home is, for every call on the id from another region. Reservations placed before regions
 *   existed are all here, at unchanged names.
 *
 * A pool's size is part of its stored layout (src/objects/pool.ts): changing it would send ids
 * to coordinators that do not hold their records. 16 per region is enough spread for one
 * region's checkouts (a coordinator serializes only per id) while keeping every pool member
 * warm; the global pool keeps its 64.
 */
export const COORDINATOR_POOL_SIZE = 64;
export const REGIONAL_POOL_SIZE = 16;

/** Where a reservation's coordinator is: its object name, and the location hint it is created with (null: none). */
export interface CoordinatorAddress {
  name: string;
  hint: Region | null;
}

export function coordinatorAddress(reservationId: string): CoordinatorAddress {
  const region = regionOfReservationId(reservationId);
  if (region === null) return { name: `coordinator:${poolMember(reservationId, COORDINATOR_POOL_SIZE)}`, hint: null };
  return { name: `coordinator:${region}:${poolMember(reservationId, REGIONAL_POOL_SIZE)}`, hint: region };
}

export function coordinatorName(reservationId: string): string {
  return coordinatorAddress(reservationId).name;
}

export function coordinatorAt(env: Pick<Env, "COORDINATOR">, address: CoordinatorAddress) {
  const id = env.COORDINATOR.idFromName(address.name);
  return address.hint === null ? env.COORDINATOR.get(id) : env.COORDINATOR.get(id, { locationHint: address.hint });
}

export function coordinatorFor(env: Pick<Env, "COORDINATOR">, reservationId: string) {
  return coordinatorAt(env, coordinatorAddress(reservationId));
}

/** The per-id object of v0.1, which may still hold a record from before the upgrade. */
export function legacyReservation(env: Pick<Env, "RESERVATION">, reservationId: string) {
  return env.RESERVATION.get(env.RESERVATION.idFromName(reservationId));
}
