import { ExchangeConnectionError } from './errors.js';
import type { DecodedFrame, VenueCodec } from './venue-codec.js';
import { cleanVenueText } from './venue-text.js';

export interface RequestCorrelatorOptions {
  /**
   * Writes one text frame; throws when the socket cannot take it. May queue it behind a rate limit
   * instead and return a function that takes it back (true: still queued, now never written).
   */
  send(text: string): unknown;
  /** The venue's envelope: writes requests, types its errors. */
  codec: VenueCodec;
  /** For logs: method and id only, never params. */
  onTimeout?(method: string, id: number): void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: ExchangeConnectionError): void;
  timer: NodeJS.Timeout;
  /** Takes the frame back while it is still queued (true: it will never be written). */
  unsend?: () => boolean;
}

/** How a response matched: a live request, one already timed out, or nothing we sent. */
export type SettleOutcome = 'matched' | 'late' | 'unknown';

type Answer = Extract<DecodedFrame, { kind: 'response' | 'error' }>;

const LATE_IDS_KEPT = 1024;

/**
 * Request/response correlation for any envelope. Ids increase for the client's whole life, across
 * sockets, so an answer can never be matched to a request it does not belong to. An answer that
 * echoes no id (Bybit's private acks, its spot pong) goes to the oldest pending request of its
 * method: a venue answers one socket's requests in order. Nothing is ever resent: `failAll`
 * rejects every pending request at once when the socket is lost.
 */
export class RequestCorrelator {
  private nextId = 0;
  /** Insertion order is id order: the first entry of a method is its oldest. */
  private readonly pending = new Map<number, Pending>();
  // Requests that timed out recently (id → method): their late answers are expected, not malformed.
  private readonly expired = new Map<number, string>();
  /** Timed-out requests per method whose answer (echoing no id) may still come, on this socket. */
  private readonly expiredByMethod = new Map<string, number>();
  private timeouts = 0;
  private sent = 0;

  constructor(private readonly options: RequestCorrelatorOptions) {}

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
      text = this.options.codec.encode(id, method, params);
    } catch (cause) {
      if (cause instanceof ExchangeConnectionError && cause.code === 'INVALID_REQUEST') return Promise.reject(cause);
      return Promise.reject(
        new ExchangeConnectionError('INVALID_REQUEST', `Request ${method} could not be serialised`, { method, cause }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.expire(id), timeoutMs);
      const entry: Pending = { method, resolve: resolve as (value: unknown) => void, reject, timer };
      this.pending.set(id, entry);
      try {
        const unsend = this.options.send(text);
        if (typeof unsend === 'function') entry.unsend = unsend as () => boolean;
        this.sent += 1;
      } catch (cause) {
        this.take(id);
        reject(new ExchangeConnectionError('DISCONNECTED', `Request ${method} could not be sent`, { method, cause }));
      }
    });
  }

  /**
   * Settles the request an answer belongs to: resolves it with the result, or rejects it with the
   * venue's error typed by the codec. A throwing codec still rejects the request (CLIENT_FAULT) and
   * then rethrows, so the client can treat its frame path as broken.
   */
  settle(answer: Answer): SettleOutcome {
    const found = this.find(answer);
    if (typeof found === 'string') return found;
    const [id, entry] = found;
    this.take(id);
    if (answer.kind === 'response') {
      entry.resolve(answer.result);
      return 'matched';
    }
    const venueCode = answer.error.code;
    let error: ExchangeConnectionError;
    try {
      // The venue's words reach error messages and logs: one bounded, printable line.
      error = this.options.codec.toError({ code: venueCode, message: cleanVenueText(answer.error.message) }, entry.method);
    } catch (fault) {
      entry.reject(
        new ExchangeConnectionError('CLIENT_FAULT', `the venue codec threw typing an error of ${entry.method}`, {
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
    // A lost socket answers nothing more: no answer without an id can be a late one now.
    this.expiredByMethod.clear();
    for (const entry of entries) entry.reject(makeError(entry.method));
  }

  private find(answer: Answer): [number, Pending] | SettleOutcome {
    if (answer.id !== undefined) {
      const entry = this.pending.get(answer.id);
      if (entry !== undefined) return [answer.id, entry];
      const method = this.expired.get(answer.id);
      if (method === undefined) return 'unknown';
      this.expired.delete(answer.id);
      this.forgetOwed(method);
      return 'late';
    }
    const method = answer.method;
    if (method === undefined) return 'unknown';
    // Answers come in order: one owed to a request that timed out comes before a newer one's.
    if (this.expiredByMethod.has(method)) {
      this.forgetOwed(method);
      return 'late';
    }
    for (const [id, entry] of this.pending) if (entry.method === method) return [id, entry];
    return 'unknown';
  }

  private forgetOwed(method: string): void {
    const owed = this.expiredByMethod.get(method) ?? 0;
    if (owed > 1) this.expiredByMethod.set(method, owed - 1);
    else this.expiredByMethod.delete(method);
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
    // Still queued behind a rate limit: it never leaves, so no answer is owed and the caller may
    // safely send it again (an order that timed out after leaving has an unknown outcome).
    if (entry.unsend?.() === true) {
      this.options.onTimeout?.(entry.method, id);
      entry.reject(
        new ExchangeConnectionError('REQUEST_TIMEOUT', `Request ${entry.method} (id ${id}) timed out before it was sent`, {
          method: entry.method,
        }),
      );
      return;
    }
    this.expired.set(id, entry.method);
    if (this.expired.size > LATE_IDS_KEPT) {
      const oldest = this.expired.keys().next().value;
      if (oldest !== undefined) this.expired.delete(oldest);
    }
    if (this.expiredByMethod.size < LATE_IDS_KEPT) {
      this.expiredByMethod.set(entry.method, (this.expiredByMethod.get(entry.method) ?? 0) + 1);
    }
    this.options.onTimeout?.(entry.method, id);
    entry.reject(
      new ExchangeConnectionError('REQUEST_TIMEOUT', `Request ${entry.method} (id ${id}) timed out`, { method: entry.method }),
    );
  }
}
