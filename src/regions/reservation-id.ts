import { isRegion, type Region } from "./regions";

/**
 * Server-made reservation ids carry the region that coordinates them: `rsv_<region>_<26 base32>`
 * (16 random bytes, RFC 4648 base32, lower case, no padding). Any Worker anywhere reads the
 * region off the id and goes straight to that region's coordinator, with no look-up and no
 * uniqueness check elsewhere: 128 random bits do not collide (CockroachDB's reason for preferring
 * generated keys in multi-region tables). Pure.
 */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const RANDOM_BYTES = 16;
const SERVER_ID = /^rsv_([a-z]+)_([a-z2-7]{20,})$/;

export function newReservationId(region: Region, random: Uint8Array = randomBytes()): string {
  return `rsv_${region}_${base32(random)}`;
}

/**
 * The region an id names, when it has the server's shape (a client may choose such an id too:
 * it is then coordinated in that region, from everywhere alike, so idempotency still holds
 * world-wide); `null` for any other id.
 */
export function regionOfReservationId(id: string): Region | null {
  const match = SERVER_ID.exec(id);
  if (!match) return null;
  const region = match[1];
  return isRegion(region) ? region : null;
}

function randomBytes(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(RANDOM_BYTES));
}

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
