import { ExchangeConnectionError } from './errors.js';
import { cleanVenueText } from './venue-text.js';

export type VenueErrorMapper = (venueCode: number, message: string, method: string) => ExchangeConnectionError;

export interface JsonRpcCorrelatorOptions {
  /** Writes one text frame; throws when the socket cannot take it. */
  send(text: string): void;
  mapError?: VenueErrorMapper;
  /** For logs: method and id only, never params. */
  onTimeout?(method: string, id: number): void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: ExchangeConnectionError): void;
  timer: NodeJS.Timeout;
}

/** How a response matched: a live request, one already timed out, or nothing we sent. */
export type SettleOutcome = 'matched' | 'late' | 'unknown';

const LATE_IDS_KEPT = 1024;

/**
 * JSON-RPC 2.0 request/response correlation. Ids increase for the client's whole life, across
 * sockets, so a response can never be matched to a request it does not belong to. Nothing is ever
 * resent: `failAll` rejects every pending request at once when the socket is lost.
 */
export class JsonRpcCorrelator {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  // Ids that timed out recently: their late responses are expected, not malformed.
  private readonly expired = new Set<number>();
  private timeouts = 0;
  private sent = 0;

  constructor(private readonly options: JsonRpcCorrelatorOptions) {}

  get inFlight(): number {
    return this.pending.size;
  }

  get requestsSent(): number {
    return this.sent;
  }

  get requestTimeouts(): number {
    return this.timeouts;
  }

  request<T>(method: string, params: object | undefined, timeoutMs: number): Promise<T> {
    const id = ++this.nextId;
    let text: string;
    try {
      text = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    } catch (cause) {
      return Promise.reject(
        new ExchangeConnectionError('INVALID_REQUEST', `Request ${method} could not be serialised`, { method, cause }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.expire(id), timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.options.send(text);
        this.sent += 1;
      } catch (cause) {
        this.take(id);
        reject(new ExchangeConnectionError('DISCONNECTED', `Request ${method} could not be sent`, { method, cause }));
      }
    });
  }

  resolve(id: number, result: unknown): SettleOutcome {
    const entry = this.take(id);
    if (!entry) return this.outcomeForUnknown(id);
    entry.resolve(result);
    return 'matched';
  }

  /**
   * Rejects the request with the venue's error. A throwing `mapError` still rejects the request
   * (CLIENT_FAULT) and then rethrows, so the client can treat its frame path as broken.
   */
  reject(id: number, venueCode: number, message: string): SettleOutcome {
    const entry = this.take(id);
    if (!entry) return this.outcomeForUnknown(id);
    // The venue's words reach error messages and logs: one bounded, printable line.
    const text = cleanVenueText(message);
    let error: ExchangeConnectionError;
    try {
      error = this.options.mapError
        ? this.options.mapError(venueCode, text, entry.method)
        : new ExchangeConnectionError('VENUE_ERROR', `${entry.method} failed: ${venueCode} ${text}`, {
            venueCode,
            method: entry.method,
          });
    } catch (fault) {
      entry.reject(
        new ExchangeConnectionError('CLIENT_FAULT', `mapError threw for ${entry.method}`, {
          method: entry.method,
          venueCode,
          cause: fault,
        }),
      );
      throw fault;
    }
    entry.reject(error);
    return 'matched';
  }

  /** Rejects every in-flight request with an error built per method (fail fast on socket loss). */
  failAll(makeError: (method: string) => ExchangeConnectionError): void {
    const entries = [...this.pending.values()];
    for (const entry of entries) clearTimeout(entry.timer);
    this.pending.clear();
    for (const entry of entries) entry.reject(makeError(entry.method));
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    return entry;
  }

  private expire(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.timeouts += 1;
    this.expired.add(id);
    if (this.expired.size > LATE_IDS_KEPT) {
      const oldest = this.expired.values().next().value;
      if (oldest !== undefined) this.expired.delete(oldest);
    }
    this.options.onTimeout?.(entry.method, id);
    entry.reject(
      new ExchangeConnectionError('REQUEST_TIMEOUT', `Request ${entry.method} (id ${id}) timed out`, { method: entry.method }),
    );
  }

  private outcomeForUnknown(id: number): SettleOutcome {
    return this.expired.delete(id) ? 'late' : 'unknown';
  }
}
