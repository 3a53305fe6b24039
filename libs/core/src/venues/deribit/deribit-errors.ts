import { ExchangeConnectionError, isExchangeConnectionError, type ExchangeConnectionErrorCode } from '../../client/errors.js';
import { cleanVenueText } from '../../client/venue-text.js';

/** Deribit JSON-RPC error codes this library branches on (docs: "Error Codes"). */
export const DERIBIT_ERROR = {
  TOO_MANY_REQUESTS: 10028,
  INVALID_CREDENTIALS: 13004,
  UNAUTHORIZED: 13009,
} as const;

const CODE_BY_VENUE_CODE: ReadonlyMap<number, ExchangeConnectionErrorCode> = new Map([
  [DERIBIT_ERROR.INVALID_CREDENTIALS, 'INVALID_CREDENTIALS'],
  [DERIBIT_ERROR.UNAUTHORIZED, 'UNAUTHORIZED'],
  [DERIBIT_ERROR.TOO_MANY_REQUESTS, 'RATE_LIMITED'],
]);

/**
 * Turns a Deribit JSON-RPC error into a typed error. The message holds the method and the venue's own
 * short message only (cleaned: one bounded, printable line): request params (which can carry a
 * secret) never reach it.
 */
export function mapDeribitError(venueCode: number, message: string, method: string): ExchangeConnectionError {
  const code = CODE_BY_VENUE_CODE.get(venueCode) ?? 'VENUE_ERROR';
  return new ExchangeConnectionError(code, `Deribit ${method} failed: ${cleanVenueText(message)} (${venueCode})`, {
    venueCode,
    method,
  });
}

/** Retrying bad credentials cannot succeed and can lock the account. */
export function isDeribitFatal(error: ExchangeConnectionError): boolean {
  return error.code === 'INVALID_CREDENTIALS';
}

/**
 * The client may have been built without the adapter's `mapError` (its default is VENUE_ERROR with a
 * `venueCode`), so the session re-types such errors itself rather than depend on client wiring.
 */
export function toDeribitError(error: unknown, method: string): unknown {
  if (!isExchangeConnectionError(error) || error.code !== 'VENUE_ERROR' || error.venueCode === undefined) {
    return error;
  }
  const code = CODE_BY_VENUE_CODE.get(error.venueCode);
  if (code === undefined) return error;
  return new ExchangeConnectionError(code, error.message, {
    venueCode: error.venueCode,
    method: error.method ?? method,
    cause: error,
  });
}

export function isRateLimited(error: unknown): boolean {
  return (
    isExchangeConnectionError(error) && (error.code === 'RATE_LIMITED' || error.venueCode === DERIBIT_ERROR.TOO_MANY_REQUESTS)
  );
}
