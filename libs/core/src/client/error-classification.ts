import { ExchangeConnectionError, isExchangeConnectionError, type ExchangeConnectionErrorCode } from './errors.js';
import { CLOSE_REASON_MAX_LENGTH, cleanVenueText } from './venue-text.js';

/** Node/OpenSSL codes meaning "this certificate is not trusted": retrying cannot fix trust. */
const TLS_TRUST_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** ws's code for a frame above `maxPayload` (it then closes with 1009). */
const WS_PAYLOAD_TOO_LARGE = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
const CLOSE_MESSAGE_TOO_BIG = 1009;

/**
 * Whether each code is worth a new socket. A Record so that adding a code forces a decision here.
 * CONNECT_FAILED and UPGRADE_REJECTED are refined below by system code and HTTP status.
 */
const RETRYABLE: Record<ExchangeConnectionErrorCode, boolean> = {
  CONNECT_FAILED: true,
  UPGRADE_REJECTED: false,
  TLS_UNTRUSTED: false,
  MAX_RETRIES_EXCEEDED: false,
  SOCKET_CLOSED: true,
  HEARTBEAT_TIMEOUT: true,
  DISCONNECTED: true,
  REQUEST_TIMEOUT: true,
  NOT_CONNECTED: true,
  // A fenced replica must not open another socket: the owner's lease decides that, not a retry.
  NOT_OWNER: false,
  CLOSED_BY_USER: false,
  VENUE_ERROR: false,
  INVALID_CREDENTIALS: false,
  UNAUTHORIZED: false,
  RATE_LIMITED: true,
  PAYLOAD_TOO_LARGE: true,
  CLIENT_FAULT: true,
  INVALID_CONFIG: false,
  CIRCUIT_OPEN: false,
  READY_TIMEOUT: true,
  INVALID_REQUEST: false,
  CHANNEL_REFUSED: false,
};

/**
 * True when a new socket may fix the failure: network faults (ECONNREFUSED, ECONNRESET, ETIMEDOUT,
 * EPIPE, EHOSTUNREACH, ENETUNREACH, EAI_AGAIN...), any close the user did not ask for (1000 from the
 * server, 1001, 1006, 1011–1013, 1009 oversize), heartbeat timeouts, upgrade 5xx/429/408.
 * False for bad credentials, other 4xx upgrades, TLS trust failures, a user close, bad config.
 * Accepts anything: a typed error, a Node/ws error, a close code (number) or a code string.
 */
export function shouldReconnect(error: unknown): boolean {
  const typed = toConnectionError(error);
  if (typed.code === 'UPGRADE_REJECTED') return isRetryableStatus(typed.httpStatus);
  if (typed.code === 'CONNECT_FAILED' && typed.systemCode !== undefined && TLS_TRUST_CODES.has(typed.systemCode)) {
    return false;
  }
  return RETRYABLE[typed.code];
}

export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status >= 500 || status === 429 || status === 408;
}

/**
 * Normalises any failure into an ExchangeConnectionError without copying frames or params into it.
 * The library's one conversion: evidence decides the code (a close code, a system or ws error code,
 * an upgrade status); a throw with none of these is an unexpected exception, CLIENT_FAULT
 * (retryable). Code that knows better — a socket that closed while opening — says so itself.
 */
export function toConnectionError(error: unknown): ExchangeConnectionError {
  if (isExchangeConnectionError(error)) return error;
  if (typeof error === 'number') return closeCodeError(error);
  if (typeof error === 'string') return codeStringError(error);
  const systemCode = errorCodeOf(error);
  if (systemCode !== undefined) return systemCodeError(systemCode, error);
  const status = upgradeStatusOf(error);
  if (status !== undefined) return upgradeRejected(status, error);
  return new ExchangeConnectionError('CLIENT_FAULT', `Unexpected failure: ${describeError(error)}`, { cause: error });
}

/** A failure before the socket opened: classified by its evidence, else CONNECT_FAILED. */
export function connectFailure(error: unknown): ExchangeConnectionError {
  const typed = toConnectionError(error);
  if (typed.code !== 'CLIENT_FAULT' || isExchangeConnectionError(error)) return typed;
  return new ExchangeConnectionError('CONNECT_FAILED', `Connection failed: ${describeError(error)}`, { cause: error });
}

export function upgradeRejected(status: number, cause?: unknown): ExchangeConnectionError {
  return new ExchangeConnectionError('UPGRADE_REJECTED', `WebSocket upgrade rejected with HTTP ${status}`, {
    httpStatus: status,
    cause,
  });
}

/**
 * The failure behind a close of an open socket. `lastError` is what ws reported before closing
 * (ECONNRESET, oversize frame...), which says more than the bare 1006.
 */
export function closeCodeError(code: number, reason = '', lastError?: unknown): ExchangeConnectionError {
  const systemCode = errorCodeOf(lastError);
  if (code === CLOSE_MESSAGE_TOO_BIG || systemCode === WS_PAYLOAD_TOO_LARGE) {
    return new ExchangeConnectionError('PAYLOAD_TOO_LARGE', 'Inbound frame exceeded maxPayload; socket closed (1009)', {
      closeCode: code,
      systemCode,
      cause: lastError,
    });
  }
  const why = reason ? `: ${sanitizeReason(reason)}` : '';
  const via = systemCode ? ` (${systemCode})` : '';
  return new ExchangeConnectionError('SOCKET_CLOSED', `Socket closed with code ${code}${via}${why}`, {
    closeCode: code,
    systemCode,
    cause: lastError,
  });
}

export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
}

function systemCodeError(systemCode: string, cause: unknown): ExchangeConnectionError {
  if (TLS_TRUST_CODES.has(systemCode)) {
    return new ExchangeConnectionError('TLS_UNTRUSTED', `TLS certificate not trusted (${systemCode})`, {
      systemCode,
      cause,
    });
  }
  if (systemCode === WS_PAYLOAD_TOO_LARGE) return closeCodeError(CLOSE_MESSAGE_TOO_BIG, '', cause);
  return new ExchangeConnectionError('CONNECT_FAILED', `Connection failed (${systemCode})`, { systemCode, cause });
}

function codeStringError(code: string): ExchangeConnectionError {
  if (code in RETRYABLE) return new ExchangeConnectionError(code as ExchangeConnectionErrorCode, code);
  return systemCodeError(code, undefined);
}

// ws without an 'unexpected-response' listener reports a rejected upgrade only in its message.
function upgradeStatusOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /^Unexpected server response: (\d{3})$/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

/**
 * An error's message for a log or another error's message, cleaned: it may quote the peer (a TLS
 * certificate's names, a ws protocol complaint), so it is bounded and printable like venue text.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${cleanVenueText(error.message)}`;
  return typeof error;
}

// A close reason is peer-controlled text: keep it short and printable.
function sanitizeReason(reason: string): string {
  return cleanVenueText(reason, CLOSE_REASON_MAX_LENGTH);
}
