import WebSocket from 'ws';
import { calculateBackoff, maxRetriesExceeded } from './backoff.js';
import type { JitterStrategy, TlsOptions } from './client-types.js';
import { connectFailure, shouldReconnect, upgradeRejected } from './error-classification.js';
import { ExchangeConnectionError } from './errors.js';
import { fullJitter } from './jitter.js';
import { buildSocketOptions, type SocketOptions } from './socket-options.js';
import { CLIENT_DEFAULTS } from '../connection-defaults.js';
import { durationMs, integer, timerDelay } from '../option-checks.js';

export interface RetryInfo {
  /** 1-based number of the retry about to be made. */
  attempt: number;
  delayMs: number;
  cause: ExchangeConnectionError;
}

export interface EstablishConnectionConfig {
  url: string;
  tls?: TlsOptions;
  /** Retries after the first failure (default 10). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxBackoffMs?: number;
  /** Default: full jitter over Math.random. */
  jitter?: JitterStrategy;
  /** Bound on TCP + TLS + upgrade of one attempt (default 10000 ms). */
  connectTimeoutMs?: number;
  maxPayload?: number;
  /**
   * Whether ws answers pings by itself (default true). False for a socket whose owner paces every
   * frame it writes, pongs included.
   */
  autoPong?: boolean;
  /** Aborting rejects at once (CLOSED_BY_USER, or the abort reason when it is a typed error). */
  signal?: AbortSignal;
  /**
   * Start as if a first failure already happened (a reconnect after a drop): the first attempt waits
   * one backoff and counts as retry 1.
   */
  initialCause?: ExchangeConnectionError;
  /** Called with each socket as soon as it exists, so its owner can listen before it opens. */
  onSocket?: (ws: WebSocket) => void;
  /** Called before each backoff wait. */
  onRetry?: (info: RetryInfo) => void;
}

/**
 * Connects with retries, exponential backoff and jitter. Resolves with an open socket (its caller
 * must add an 'error' listener); rejects with a typed error: the cause itself when it is not
 * retryable, MAX_RETRIES_EXCEEDED (cause = last failure) when retries ran out. `attempts` is the
 * number of sockets tried.
 */
export async function establishConnection(config: EstablishConnectionConfig): Promise<WebSocket> {
  const policy = resolvePolicy(config);
  const socketOptions: SocketOptions = {
    ...buildSocketOptions(config.url, config.tls),
    maxPayload: policy.maxPayload,
    ...(config.autoPong === false ? { autoPong: false } : {}),
  };
  let attempts = 0;
  let retries = 0;
  let lastCause = config.initialCause;
  for (;;) {
    if (lastCause !== undefined) {
      if (!shouldReconnect(lastCause)) throw withAttempts(lastCause, attempts);
      if (maxRetriesExceeded(retries, policy.maxRetries)) {
        throw new ExchangeConnectionError('MAX_RETRIES_EXCEEDED', `Gave up after ${attempts} attempt(s): ${lastCause.message}`, {
          attempts,
          cause: lastCause,
          closeCode: lastCause.closeCode,
          httpStatus: lastCause.httpStatus,
          systemCode: lastCause.systemCode,
        });
      }
      const exact = calculateBackoff(retries, policy.baseDelayMs, policy.maxBackoffMs);
      const delayMs = timerDelay(policy.jitter(exact), exact);
      retries += 1;
      config.onRetry?.({ attempt: retries, delayMs, cause: lastCause });
      await sleep(delayMs, config.signal);
    }
    throwIfAborted(config.signal);
    attempts += 1;
    try {
      return await openSocket(config.url, socketOptions, {
        connectTimeoutMs: policy.connectTimeoutMs,
        signal: config.signal,
        onSocket: config.onSocket,
      });
    } catch (error) {
      if (config.signal?.aborted) throw abortError(config.signal, attempts);
      lastCause = connectFailure(error);
    }
  }
}

export interface OpenSocketOptions {
  connectTimeoutMs: number;
  signal?: AbortSignal;
  onSocket?: (ws: WebSocket) => void;
}

/**
 * One attempt: resolves when the socket opens, rejects (classified) when it closes first. Our own
 * timer bounds the whole handshake, so a black-holed upgrade cannot hang an attempt.
 */
export function openSocket(url: string, options: SocketOptions, opts: OpenSocketOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortError(opts.signal));
      return;
    }
    const ws = new WebSocket(url, options);
    opts.onSocket?.(ws);
    let lastError: unknown;
    let status: number | undefined;
    let timedOut = false;

    const onUnexpectedResponse = (_req: unknown, res: { statusCode?: number; resume(): void }): void => {
      status = res.statusCode;
      res.resume();
      ws.terminate();
    };
    const onError = (error: unknown): void => {
      lastError ??= error;
    };
    const onOpen = (): void => {
      cleanup();
      resolve(ws);
    };
    const onClose = (): void => {
      cleanup();
      if (opts.signal?.aborted) reject(abortError(opts.signal));
      else if (status !== undefined) reject(upgradeRejected(status));
      else if (timedOut) {
        reject(
          new ExchangeConnectionError('CONNECT_FAILED', `Opening handshake timed out after ${opts.connectTimeoutMs} ms`, {
            systemCode: 'ETIMEDOUT',
          }),
        );
      } else if (lastError === undefined) {
        reject(new ExchangeConnectionError('CONNECT_FAILED', 'Socket closed before opening'));
      } else reject(connectFailure(lastError));
    };
    const onAbort = (): void => ws.terminate();
    const timer = setTimeout(() => {
      timedOut = true;
      ws.terminate();
    }, opts.connectTimeoutMs);

    function cleanup(): void {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      ws.off('unexpected-response', onUnexpectedResponse);
      ws.off('error', onError);
      ws.off('open', onOpen);
      ws.off('close', onClose);
    }

    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
    ws.on('open', onOpen);
    ws.on('close', onClose);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms`, rejecting early (and releasing the timer) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxBackoffMs: number;
  connectTimeoutMs: number;
  maxPayload: number;
  jitter: JitterStrategy;
}

/** The connect loop's settings, range-checked (the client checks the same options with the same rules). */
export function resolvePolicy(config: Omit<EstablishConnectionConfig, 'url'>): RetryPolicy {
  return {
    maxRetries: integer('maxRetries', config.maxRetries, CLIENT_DEFAULTS.maxRetries, 0),
    baseDelayMs: durationMs('baseDelayMs', config.baseDelayMs, CLIENT_DEFAULTS.baseDelayMs, { zero: true }),
    maxBackoffMs: durationMs('maxBackoffMs', config.maxBackoffMs, CLIENT_DEFAULTS.maxBackoffMs, { zero: true }),
    connectTimeoutMs: durationMs('connectTimeoutMs', config.connectTimeoutMs, CLIENT_DEFAULTS.connectTimeoutMs),
    maxPayload: integer('maxPayload', config.maxPayload, CLIENT_DEFAULTS.maxPayload, 1),
    jitter: config.jitter ?? fullJitter(),
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

function abortError(signal: AbortSignal, attempts?: number): ExchangeConnectionError {
  const reason: unknown = signal.reason;
  if (reason instanceof ExchangeConnectionError) return reason;
  return new ExchangeConnectionError('CLOSED_BY_USER', 'Connection attempt cancelled', { attempts });
}

function withAttempts(cause: ExchangeConnectionError, attempts: number): ExchangeConnectionError {
  if (cause.attempts !== undefined) return cause;
  return new ExchangeConnectionError(cause.code, cause.message, {
    attempts,
    venueCode: cause.venueCode,
    closeCode: cause.closeCode,
    httpStatus: cause.httpStatus,
    systemCode: cause.systemCode,
    method: cause.method,
    cause: cause.cause ?? cause,
  });
}
