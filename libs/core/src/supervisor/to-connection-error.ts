import { ExchangeConnectionError } from '../client/errors.js';

/** Anything thrown inside a build becomes a typed error; an unknown throw is a client fault. */
export function toConnectionError(error: unknown): ExchangeConnectionError {
  if (error instanceof ExchangeConnectionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ExchangeConnectionError('CLIENT_FAULT', `unexpected failure: ${message}`, { cause: error });
}
