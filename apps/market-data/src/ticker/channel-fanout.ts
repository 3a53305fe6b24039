import type { Subscription } from 'rxjs';
import type { ChannelFeeds, ChannelStatus } from './channel-feeds.js';
import { encodeFrame } from './frame-encoder.js';
import type { StreamClient } from './stream-client.js';
import type { StreamLimits } from './stream-limits.js';
import type { StreamMetrics } from './stream-metrics.js';
import { type UpstreamClock, UpstreamChannels } from './upstream-channels.js';

/**
 * Browsers' channels of one connection. Browsers join and leave channels here; upstream sees only
 * what UpstreamChannels lets through (reference-counted, lingering, rate-limited). Each venue
 * frame is serialised once for all of a channel's browsers, and dropped for all of them when it
 * cannot be serialised or exceeds the frame cap.
 */
export class ChannelFanout {
  private readonly members = new Map<string, Set<StreamClient>>();
  /** Each client's channels on this connection (a client may join channels of several connections). */
  private readonly joined = new Map<StreamClient, Set<string>>();
  private readonly upstream: UpstreamChannels;
  private readonly notices: Subscription;

  constructor(
    private readonly feeds: ChannelFeeds,
    private readonly limits: StreamLimits,
    private readonly metrics: StreamMetrics,
    clock?: UpstreamClock,
  ) {
    const connection = feeds.connectionName;
    this.upstream = new UpstreamChannels(
      (channel) => this.feeds.feed(channel).subscribe((data) => this.broadcast(channel, data)),
      { lingerMs: limits.upstreamLingerMs, burst: limits.upstreamChangeBurst, perSec: limits.upstreamChangesPerSec },
      (change) => metrics.upstreamChanged(connection, change),
      (change, channel) => metrics.upstreamChangeDeferred(connection, change, channel),
      clock,
    );
    this.notices = feeds.changes$.subscribe((status) => this.notify(status));
  }

  get connectionName(): string {
    return this.feeds.connectionName;
  }

  join(client: StreamClient, channel: string): void {
    let channels = this.joined.get(client);
    if (channels === undefined) {
      channels = new Set();
      this.joined.set(client, channels);
    }
    if (channels.has(channel)) return;
    channels.add(channel);
    let members = this.members.get(channel);
    if (members === undefined) {
      members = new Set();
      this.members.set(channel, members);
    }
    members.add(client);
    this.upstream.acquire(channel);
  }

  leave(client: StreamClient, channel: string): void {
    const channels = this.joined.get(client);
    if (channels === undefined || !channels.delete(channel)) return;
    if (channels.size === 0) this.joined.delete(client);
    const members = this.members.get(channel);
    members?.delete(client);
    if (members?.size === 0) this.members.delete(channel);
    this.upstream.release(channel);
  }

  leaveAll(client: StreamClient): void {
    for (const channel of [...(this.joined.get(client) ?? [])]) this.leave(client, channel);
  }

  close(): void {
    this.notices.unsubscribe();
    this.upstream.close();
    this.members.clear();
    this.joined.clear();
  }

  private broadcast(channel: string, data: unknown): void {
    const members = this.members.get(channel);
    // Lingering upstream with no browser: nothing to serialise.
    if (members === undefined || members.size === 0) return;
    const encoded = encodeFrame(
      { type: 'data', connection: this.feeds.connectionName, channel, data },
      this.limits.maxFrameBytes,
    );
    if (!encoded.ok) {
      this.metrics.frameDropped(encoded.reason, channel);
      return;
    }
    for (const client of members) client.sendFrame(encoded.bytes);
  }

  /** A browser's channel was refused or failed: say so; it stays joined and gets data once the retry succeeds. */
  private notify(status: ChannelStatus): void {
    if (status.state !== 'refused' && status.state !== 'failed') return;
    const members = this.members.get(status.channel);
    if (members === undefined) return;
    for (const client of members) {
      client.send({
        type: 'error',
        code: 'channel_unavailable',
        connection: status.connection,
        channel: status.channel,
        message: `the exchange did not provide this channel; retrying${status.retryAt === undefined ? '' : ` at ${status.retryAt}`}`,
      });
    }
  }
}
