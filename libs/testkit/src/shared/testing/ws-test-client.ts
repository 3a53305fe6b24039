import { Buffer } from 'node:buffer';
import { WebSocket, type ClientOptions, type RawData } from 'ws';

export interface WsTestClientOptions {
  /** Default bound for every wait (ms). */
  timeoutMs?: number;
  /** Answer server ping frames (default true, like every ws client); false makes the client miss its pongs. */
  autoPong?: boolean;
}

interface Waiter {
  readonly predicate: (message: unknown) => boolean;
  readonly resolve: (message: unknown) => void;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Opens a plain `ws` socket and wraps it in a client built at once, so that no frame can arrive
 * before the client listens; rejects with `{ status }` when the upgrade is refused.
 */
export function connectClient<C extends WsTestClient>(
  url: string,
  options: ClientOptions,
  make: (socket: WebSocket) => C,
): Promise<C> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const client = make(socket);
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(client);
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      const error = Object.assign(new Error(`upgrade rejected with HTTP ${response.statusCode}`), {
        status: response.statusCode ?? 0,
      });
      reject(error);
      response.resume();
      socket.terminate();
    });
  });
}

/**
 * A plain `ws` client for tests against the test exchanges: it records every frame (parsed when it
 * was JSON, else the raw string) so tests assert on exactly what came over the wire, and waits on
 * frames and close without sleeping. Venue clients add their envelopes on top.
 */
export class WsTestClient {
  /** Every text or binary frame received, parsed when it was JSON, else the raw string. */
  readonly messages: unknown[] = [];
  /** Payloads of the ping frames the server sent. */
  readonly pings: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  protected readonly timeoutMs: number;
  private waiters: Waiter[] = [];
  private isClosed = false;

  constructor(
    readonly socket: WebSocket,
    options: WsTestClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    socket.on('message', (data) => this.onFrame(rawText(data)));
    socket.on('ping', (data: Buffer) => this.pings.push(data));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed && this.socket.readyState === WebSocket.OPEN;
  }

  sendRaw(frame: string | Buffer): void {
    this.socket.send(frame);
  }

  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  /** Resolves with the first message (already received, unless `includePast` is false, or future) matching `predicate`. */
  waitForMessage(predicate: (message: unknown) => boolean, timeoutMs = this.timeoutMs, includePast = true): Promise<unknown> {
    if (includePast) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits until `select()` returns at least `count` items; returns them. */
  async waitForCount<T>(select: () => T[], count: number, what: string, timeoutMs = this.timeoutMs): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const items = select();
      if (items.length >= count) return items;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`only ${items.length}/${count} ${what} within ${timeoutMs} ms`);
      await this.waitForMessage(() => true, remaining, false).catch(() => undefined);
    }
  }

  /** Resolves with the close code and reason, or rejects if the socket stays open past the bound. */
  waitForClose(timeoutMs = this.timeoutMs): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  /** Closes and waits for the close; terminates if the peer does not answer (e.g. a black hole). */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.isClosed) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'test done');
    try {
      await this.waitForClose(timeoutMs);
    } catch {
      this.socket.terminate();
      await this.closed;
    }
  }

  /** Called for every parsed frame before waiters run; venue clients settle their requests here. */
  protected onMessage(_message: unknown): void {}

  private onFrame(text: string): void {
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {
      // Kept as the raw string: tests of malformed frames look at it.
    }
    this.messages.push(message);
    this.onMessage(message);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.predicate(message)) waiter.resolve(message);
      else this.waiters.push(waiter);
    }
  }
}
