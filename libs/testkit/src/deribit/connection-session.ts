import type { AuthIdentity } from './auth-service.js';
import type { CreditBucket } from '../shared/credit-bucket.js';
import type { FeedSubscriber } from '../shared/feeds/feed-hub.js';
import { SocketSession, type SocketSessionInit } from '../shared/socket-session.js';
import { HeartbeatMonitor, type HeartbeatHooks } from './heartbeat-monitor.js';
import { heartbeatNotification, subscriptionNotification } from './json-rpc-envelope.js';

export interface SessionAuth extends AuthIdentity {
  readonly accessToken: string;
}

export interface SessionInit extends SocketSessionInit {
  readonly bucket: CreditBucket | undefined;
  readonly onHeartbeatMissed: (session: ConnectionSession) => void;
  readonly onTestRequestSent: () => void;
}

/**
 * Everything the server knows about one Deribit socket: its auth binding, heartbeat,
 * cancel-on-disconnect and rate bucket. `dispose()` leaves nothing scheduled.
 */
export class ConnectionSession extends SocketSession implements FeedSubscriber {
  readonly heartbeat: HeartbeatMonitor;
  readonly encoder = subscriptionNotification;
  auth: SessionAuth | undefined;
  /** Client id that enabled connection-scope cancel-on-disconnect here, if enabled. */
  cancelOnDisconnectOwner: string | undefined;
  bucket: CreditBucket | undefined;

  constructor(init: SessionInit) {
    super(init);
    this.bucket = init.bucket;
    const hooks: HeartbeatHooks = {
      send: (type) => this.send(heartbeatNotification(type)),
      onMissed: () => init.onHeartbeatMissed(this),
      onTestRequestSent: init.onTestRequestSent,
    };
    this.heartbeat = new HeartbeatMonitor(hooks, init.faults);
  }

  /** Set when the server itself closed this socket for a missed test_request. */
  get heartbeatTimedOut(): boolean {
    return this.serverCloseReason === 'heartbeat-timeout';
  }

  override dispose(): void {
    super.dispose();
    this.heartbeat.stop();
  }
}
