import { randomBytes, randomUUID } from 'node:crypto';
import type { CreditBucket } from '../shared/credit-bucket.js';
import type { FeedSubscriber } from '../shared/feeds/feed-hub.js';
import { SocketSession, type SocketSessionInit } from '../shared/socket-session.js';
import { topicMessage } from './bybit-envelope.js';
import type { BybitAccount } from './bybit-options.js';
import type { BybitMarket } from './bybit-topics.js';

export interface BybitSessionInit extends SocketSessionInit {
  readonly market: BybitMarket;
  readonly bucket: CreditBucket | undefined;
  /** How long the connection may go without ping-pong or data before the server cuts it. */
  readonly idleTimeoutMs: number;
  readonly onIdle: (session: BybitSession) => void;
}

/** Public endpoints answer with UUID connection ids, the private one with a short id and a suffix (docs' examples). */
function connectionId(market: BybitMarket, id: number): string {
  return market === 'private' ? `${randomBytes(10).toString('hex')}-${id.toString(36)}` : randomUUID();
}

/**
 * One Bybit socket: its endpoint (market), `conn_id`, the account it authenticated as, the
 * characters its topics use up, its rate bucket and its idle cut.
 */
export class BybitSession extends SocketSession implements FeedSubscriber {
  readonly market: BybitMarket;
  readonly connId: string;
  readonly encoder = topicMessage;
  readonly idleTimeoutMs: number;
  account: BybitAccount | undefined;
  bucket: CreditBucket | undefined;
  /** Characters of the topics this connection holds (Bybit's per-connection args budget). */
  argsChars = 0;
  private lastActivity = performance.now();
  private idleSuspended = false;
  private readonly onIdle: (session: BybitSession) => void;

  constructor(init: BybitSessionInit) {
    super(init);
    this.market = init.market;
    this.connId = connectionId(init.market, init.id);
    this.bucket = init.bucket;
    this.idleTimeoutMs = init.idleTimeoutMs;
    this.onIdle = init.onIdle;
    this.armIdle(this.idleTimeoutMs);
  }

  /** Every frame the server writes counts as "data sent from the server end". */
  override send(frame: string | Buffer): boolean {
    const sent = super.send(frame);
    if (sent) this.lastActivity = performance.now();
    return sent;
  }

  /** A client ping (op or frame) is the "ping-pong" that keeps a connection alive. */
  noteActivity(): void {
    this.lastActivity = performance.now();
  }

  override onPing(data: Buffer): void {
    this.noteActivity();
    this.pong(data);
  }

  private armIdle(ms: number): void {
    this.later(ms, () => {
      // A black hole sends nothing by definition; it must not turn into a cut of its own, during it
      // or right after it: the idle window starts afresh at the first check after it is lifted.
      if (this.faults.blackHole || this.idleSuspended) {
        this.idleSuspended = this.faults.blackHole;
        this.lastActivity = performance.now();
        return this.armIdle(this.idleTimeoutMs);
      }
      const idleFor = performance.now() - this.lastActivity;
      if (idleFor >= this.idleTimeoutMs) this.onIdle(this);
      else this.armIdle(Math.max(1, this.idleTimeoutMs - idleFor));
    });
  }
}
