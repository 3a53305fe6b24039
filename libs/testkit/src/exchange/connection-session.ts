import type { WebSocket } from 'ws';
import type { AuthIdentity } from './auth-service.js';
import type { FaultState } from './fault-state.js';
import type { FeedSubscriber } from './feeds/feed-hub.js';
import { HeartbeatMonitor, type HeartbeatHooks } from './heartbeat-monitor.js';
import { heartbeatNotification } from './json-rpc-envelope.js';
import type { CreditBucket } from './rate-limiter.js';

const CLOSE_GRACE_MS = 2000;

export interface SessionAuth extends AuthIdentity {
  readonly accessToken: string;
}

export interface SessionInit {
  readonly id: number;
  readonly socket: WebSocket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly openedAt: number;
  readonly faults: FaultState;
  readonly bucket: CreditBucket | undefined;
  readonly onHeartbeatMissed: (session: ConnectionSession) => void;
  readonly onTestRequestSent: () => void;
}

/**
 * Everything the server knows about one socket: its auth binding, heartbeat, cancel-on-disconnect,
 * rate bucket and its own timers. `dispose()` leaves nothing scheduled.
 */
export class ConnectionSession implements FeedSubscriber {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly openedAt: number;
  readonly heartbeat: HeartbeatMonitor;
  auth: SessionAuth | undefined;
  /** Client id that enabled connection-scope cancel-on-disconnect here, if enabled. */
  cancelOnDisconnectOwner: string | undefined;
  bucket: CreditBucket | undefined;
  /** Set when the server itself closed this socket for a missed test_request. */
  heartbeatTimedOut = false;
  private readonly socket: WebSocket;
  private readonly faults: FaultState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(init: SessionInit) {
    this.id = init.id;
    this.socket = init.socket;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
    this.openedAt = init.openedAt;
    this.faults = init.faults;
    this.bucket = init.bucket;
    const hooks: HeartbeatHooks = {
      send: (type) => this.send(heartbeatNotification(type)),
      onMissed: () => init.onHeartbeatMissed(this),
      onTestRequestSent: init.onTestRequestSent,
    };
    this.heartbeat = new HeartbeatMonitor(hooks, init.faults);
  }

  /** Sends unless the socket is gone or the exchange is a black hole; never throws. */
  send(frame: string | Buffer): void {
    if (this.disposed || this.faults.blackHole || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(frame, () => undefined);
  }

  /** Runs `fn` after `ms`, unless the session is disposed first. */
  later(ms: number, fn: () => void): void {
    if (this.disposed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
      // ws waits 30 s for the peer's close frame; a dead peer should not hold the socket that long.
      this.later(CLOSE_GRACE_MS, () => this.socket.terminate());
    }
  }

  terminate(): void {
    this.socket.terminate();
  }

  /** Pong by hand: ws's autoPong is off so a black hole can swallow pings too. */
  pong(data: Buffer): void {
    if (this.disposed || this.faults.blackHole || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.pong(data, undefined, () => undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.heartbeat.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
