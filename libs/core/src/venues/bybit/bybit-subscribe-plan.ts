import { ExchangeConnectionError } from '../../client/errors.js';
import { BYBIT_DEFAULTS } from '../../connection-defaults.js';
import type { BybitMarket } from './bybit-topics.js';
import { isBybitPrivateTopic } from './bybit-topics.js';

/**
 * Docs (v5 ws connect, "Public channel - Args limits"): "for one public connection, you cannot
 * have length of "args" array over 21,000 characters". VENUES.md says "under 21,000"; the docs win,
 * so 21,000 itself is allowed. The docs do not say how the length is counted: this counts the
 * `args` array as JSON (quotes and commas included), the larger of the readings, so a connection
 * planned here fits under either.
 */
export const BYBIT_MAX_ARGS_CHARS: number = BYBIT_DEFAULTS.maxArgsChars;

/** Args per subscribe request, per endpoint (see BYBIT_DEFAULTS for the docs' words). */
export const DEFAULT_MAX_ARGS_PER_REQUEST: Readonly<Record<BybitMarket, number>> = BYBIT_DEFAULTS.maxArgsPerRequest;

/** What one topic adds to the JSON length of an `args` array: the quoted name and its comma. */
export function bybitArgsCost(topic: string): number {
  return JSON.stringify(topic).length + 1;
}

/** JSON length of `args` holding `topics` (`[]` is 2; each topic adds its cost, less one comma). */
export function bybitArgsLength(topics: Iterable<string>): number {
  let total = 1;
  let any = false;
  for (const topic of topics) {
    total += bybitArgsCost(topic);
    any = true;
  }
  return any ? total : 2;
}

/**
 * The subscribe (or unsubscribe) requests for `topics`, in order: de-duplicated, at most
 * `maxArgsPerRequest` args each. Docs (private order, execution, position pages): "All-In-One
 * topic and Categorised topic cannot be in the same subscription request", so categorised private
 * topics (`order.linear`) never share a request with anything else.
 */
export function planBybitRequests(topics: Iterable<string>, maxArgsPerRequest: number): string[][] {
  if (!Number.isInteger(maxArgsPerRequest) || maxArgsPerRequest < 1) {
    throw new ExchangeConnectionError('INVALID_CONFIG', 'Bybit maxArgsPerRequest must be an integer >= 1');
  }
  const plain: string[] = [];
  const categorised: string[] = [];
  for (const topic of new Set(topics)) {
    (isBybitPrivateTopic(topic) && topic.includes('.') ? categorised : plain).push(topic);
  }
  const requests: string[][] = [];
  for (const group of [plain, categorised]) {
    for (let i = 0; i < group.length; i += maxArgsPerRequest) requests.push(group.slice(i, i + maxArgsPerRequest));
  }
  return requests;
}
