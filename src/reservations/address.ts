import { poolMember } from "../objects/pool";

/**
 * How reservations are addressed. Coordinators are pooled: `COORDINATOR_POOL_SIZE` objects,
 * each keeping the records of the ids that hash to it, so placing a reservation reaches an
 * object that already exists instead of creating one (about 4 to 5 ms of CPU locally, a
 * first-time placement in production) for every checkout.
 */
export const COORDINATOR_POOL_SIZE = 64;

export function coordinatorName(reservationId: string): string {
  return `coordinator:${poolMember(reservationId, COORDINATOR_POOL_SIZE)}`;
}

export function coordinatorFor(env: Pick<Env, "COORDINATOR">, reservationId: string) {
  return env.COORDINATOR.get(env.COORDINATOR.idFromName(coordinatorName(reservationId)));
}

/** The per-id object of v0.1, which may still hold a record from before the upgrade. */
export function legacyReservation(env: Pick<Env, "RESERVATION">, reservationId: string) {
  return env.RESERVATION.get(env.RESERVATION.idFromName(reservationId));
}
