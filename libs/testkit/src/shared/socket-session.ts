import type { WebSocket } from 'ws';
import type { FaultState } from './fault-state.js';

/** How long a server-initiated close waits for the peer's close frame before it terminates. */
const CLOSE_GRACE_MS = 2000;

export interface SocketSessionInit {
  readonly id: number;
  readonly socket: WebSocket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly openedAt: number;
  readonly faults: FaultState;
}

/**
 * One accepted socket as every venue's exchange sees it: its identity, the sends it makes (silenced
 * by a black hole) and the timers it owns. Venue sessions extend it with their protocol state;
 * `dispose()` leaves nothing scheduled.
 */
export class SocketSession {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly openedAt: number;
  /** Set when the server itself closed the socket, saying why (e.g. `heartbeat-timeout`). */
  serverCloseReason: string | undefined;
  /** Frames the server wrote to this socket (a black hole writes none), so a test can wait for all of them. */
  framesSent = 0;
  protected readonly socket: WebSocket;
  protected readonly faults: FaultState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(init: SocketSessionInit) {
    this.id = init.id;
    this.socket = init.socket;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
    this.openedAt = init.openedAt;
    this.faults = init.faults;
  }

  get isOpen(): boolean {
    return !this.disposed && this.socket.readyState === this.socket.OPEN;
  }

  /** Sends unless the socket is gone or the exchange is a black hole; never throws. */
  send(frame: string | Buffer): boolean {
    if (!this.isOpen || this.faults.blackHole) return false;
    this.framesSent += 1;
    this.socket.send(frame, () => undefined);
    return true;
  }

  /**
   * Writes exactly these bytes as one frame: a text frame unless `binary` (a Buffer in a text frame
   * is how invalid UTF-8 reaches a client). Silenced by a black hole like every other send.
   */
  sendRaw(data: string | Buffer, binary: boolean): boolean {
    if (!this.isOpen || this.faults.blackHole) return false;
    this.framesSent += 1;
    this.socket.send(data, { binary }, () => undefined);
    return true;
  }

  /** Runs `fn` after `ms` unless the session is disposed first; returns a cancel function. */
  later(ms: number, fn: () => void): () => void {
    if (this.disposed) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** A close frame with `code`; the socket is terminated if the peer does not answer in time. */
  close(code: number, reason: string, serverReason?: string): void {
    if (serverReason !== undefined && this.serverCloseReason === undefined) this.serverCloseReason = serverReason;
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
      // ws waits 30 s for the peer's close frame; a dead peer should not hold the socket that long.
      this.later(CLOSE_GRACE_MS, () => this.socket.terminate());
    }
  }

  /** Destroys the socket without a close frame (the peer sees 1006). */
  terminate(serverReason?: string): void {
    if (serverReason !== undefined && this.serverCloseReason === undefined) this.serverCloseReason = serverReason;
    this.socket.terminate();
  }

  /** Pong by hand: ws's autoPong is off so a black hole can swallow pings too. */
  pong(data: Buffer): void {
    if (!this.isOpen || this.faults.blackHole) return;
    this.socket.pong(data, undefined, () => undefined);
  }

  ping(data: Buffer): void {
    if (!this.isOpen || this.faults.blackHole) return;
    this.socket.ping(data, undefined, () => undefined);
  }

  /** A ping frame arrived; venues that limit or count control frames override this. */
  onPing(data: Buffer): void {
    this.pong(data);
  }

  /** A pong frame arrived; venues whose server pings override this. */
  onPong(_data: Buffer): void {}

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
