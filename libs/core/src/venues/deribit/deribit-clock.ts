import type { Clock } from '../../client/clock.js';

/** The Deribit session's time source (token refresh, rate-limit back-off): the shared Clock. */
export type DeribitClock = Clock;
export { systemClock } from '../../client/clock.js';
