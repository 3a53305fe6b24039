import type { Random } from './prng.js';

/** `n` lowercase hex digits from the stream's own random source, so ids repeat with the seed. */
export function randomHex(random: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A UUID-shaped id (8-4-4-4-12 hex) from the stream's random source. */
export function randomUuid(random: Random): string {
  return `${randomHex(random, 8)}-${randomHex(random, 4)}-${randomHex(random, 4)}-${randomHex(random, 4)}-${randomHex(random, 12)}`;
}
