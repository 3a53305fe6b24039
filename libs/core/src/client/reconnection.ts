/**
 * The seed's reconnection API, kept by name. Each piece lives in its own module; this file gathers
 * them so `reconnection.ts` reads like the seed.
 */
export { calculateBackoff, maxRetriesExceeded } from './backoff.js';
export { shouldReconnect } from './error-classification.js';
export { buildSocketOptions } from './socket-options.js';
export { establishConnection } from './establish-connection.js';
export type { EstablishConnectionConfig, RetryInfo } from './establish-connection.js';
