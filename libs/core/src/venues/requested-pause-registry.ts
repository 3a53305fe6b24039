import type { Clock } from '../client/clock.js';
import { RequestedPause } from './requested-pause.js';

/**
 * The process's pauses, per clock and then per key. Per clock because a deadline only means
 * something on the timeline it was taken on (each test's ManualClock gets its own, collected with
 * it). One entry per key the process ever used, never dropped: adapters hold their pause for
 * their whole life, so a dropped entry would split later adapters from earlier ones in the middle of
 * a ban. What an entry costs is a number; keys are a venue's limits domains times the REST origins
 * the process talks to (a handful in production, one per test exchange in a test run).
 */
const pauses = new WeakMap<Clock, Map<string, RequestedPause>>();

/**
 * The one pause for `key` on `clock`, created on first use and labelled `label` (the label of the
 * first caller stays: callers of one key describe the same limits). A key names the limits a venue
 * counts requests against (venue, limits domain, REST origin); it holds no secret.
 */
export function sharedRequestedPause(clock: Clock, key: string, label: string): RequestedPause {
  let byKey = pauses.get(clock);
  if (byKey === undefined) {
    byKey = new Map();
    pauses.set(clock, byKey);
  }
  let shared = byKey.get(key);
  if (shared === undefined) {
    shared = new RequestedPause(label, clock);
    byKey.set(key, shared);
  }
  return shared;
}
