import type { LoggerService } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { LogThrottle, suppressedNote } from '../logging/log-throttle.js';
import type { FrameDropReason } from './frame-encoder.js';
import type { UpstreamChange } from './upstream-channels.js';

/** Why a frame did not reach a client: the frame's own fault, or the client's (it does not read). */
export type DropReason = FrameDropReason | 'slow_client';

/** Why the gateway closed a client. */
export type DisconnectReason = 'slow_client' | 'refused_messages' | 'too_many_clients';

const DROP_EXPLAINED: Record<DropReason, string> = {
  unserialisable: 'it cannot be serialised (nesting too deep?)',
  too_large: 'it is larger than the frame cap',
  slow_client: 'the client is not reading (its queue is at the buffer bound)',
};

/**
 * The gateway's counters (`/metrics`) and its log lines about them. Every log line here can be
 * triggered from outside (a venue frame, a browser), so each goes through a LogThrottle: one line
 * per cause per interval, with a count of what was held back.
 */
export class StreamMetrics {
  private readonly dropped: Counter<'reason'>;
  private readonly disconnects: Counter<'reason'>;
  private readonly upstreamChanges: Counter<'connection' | 'change'>;
  private readonly upstreamDeferred: Counter<'connection'>;

  constructor(
    registry: Registry,
    clientCount: () => number,
    private readonly logger: LoggerService,
    private readonly throttle: LogThrottle = new LogThrottle(),
  ) {
    const registers = [registry];
    this.dropped = new Counter({
      name: 'market_data_stream_frames_dropped_total',
      help: 'Frames the /stream gateway did not send, by reason (for frame reasons, once per frame, not per client)',
      labelNames: ['reason'],
      registers,
    });
    this.disconnects = new Counter({
      name: 'market_data_stream_disconnects_total',
      help: 'Browser clients the /stream gateway closed, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.upstreamChanges = new Counter({
      name: 'market_data_upstream_channel_changes_total',
      help: 'Channel subscribes and unsubscribes the gateway caused upstream, per connection',
      labelNames: ['connection', 'change'],
      registers,
    });
    this.upstreamDeferred = new Counter({
      name: 'market_data_upstream_changes_deferred_total',
      help: 'Upstream channel changes that waited for the per-connection rate limit',
      labelNames: ['connection'],
      registers,
    });
    new Gauge({
      name: 'market_data_stream_clients',
      help: 'Browser clients connected to /stream',
      registers,
      collect() {
        this.set(clientCount());
      },
    });
  }

  frameDropped(reason: DropReason, channel?: string): void {
    this.dropped.inc({ reason });
    const admitted = this.throttle.admit(`drop:${reason}`);
    if (admitted === undefined) return;
    const what = channel === undefined ? 'a frame' : `a ${channel} frame`;
    this.logger.warn(
      `stream: dropped ${what} (${reason}): ${DROP_EXPLAINED[reason]}${suppressedNote(admitted)}`,
      'MarketStreamGateway',
    );
  }

  disconnected(reason: DisconnectReason): void {
    this.disconnects.inc({ reason });
    const admitted = this.throttle.admit(`disconnect:${reason}`);
    if (admitted !== undefined) {
      this.logger.warn(`stream: closed a client (${reason})${suppressedNote(admitted)}`, 'MarketStreamGateway');
    }
  }

  /** A browser socket error (`ws` closes the socket itself): one line per kind per interval, no stack. */
  socketError(error: Error & { code?: unknown }): void {
    const kind = typeof error.code === 'string' ? error.code : error.name;
    const admitted = this.throttle.admit(`socket:${kind}`);
    if (admitted !== undefined) {
      this.logger.warn(`stream: client socket error ${kind}: ${error.message}${suppressedNote(admitted)}`, 'MarketStreamGateway');
    }
  }

  upstreamChanged(connection: string, change: UpstreamChange): void {
    this.upstreamChanges.inc({ connection, change });
  }

  upstreamChangeDeferred(connection: string, change: UpstreamChange, channel: string): void {
    this.upstreamDeferred.inc({ connection });
    const admitted = this.throttle.admit(`deferred:${connection}`);
    if (admitted !== undefined) {
      this.logger.log(
        `stream: ${change} of ${channel} on ${connection} waits for the upstream change limit${suppressedNote(admitted)}`,
        'MarketStreamGateway',
      );
    }
  }
}
