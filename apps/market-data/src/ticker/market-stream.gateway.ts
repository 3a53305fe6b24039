import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { DATA_SOURCE, type DataSource } from '../config/data-source.js';
import { METRICS_REGISTRY } from '../observability/observability.tokens.js';
import { ConnectionStatusService } from '../status/connection-status.service.js';
import { ChannelFanout } from './channel-fanout.js';
import { encodeFrame } from './frame-encoder.js';
import { MarketDataService } from './market-data.service.js';
import { StreamClient } from './stream-client.js';
import { STREAM_HARD_MAX_PAYLOAD, STREAM_LIMITS, type StreamLimits } from './stream-limits.js';
import { StreamMetrics } from './stream-metrics.js';
import {
  type AllowLists,
  type StreamMessage,
  type StreamRequest,
  type WelcomeConnection,
  parseStreamRequest,
} from './stream-protocol.js';

/** Close codes (RFC 6455 §7.4.1). */
const POLICY_VIOLATION = 1008;
const TRY_AGAIN_LATER = 1013;

/**
 * `/stream`: re-broadcasts public market data of every connection to browsers. A browser can only
 * pick channels from a connection's allow-list (`{connection, channel}`); it never reaches the authenticated connection itself (no method calls, no
 * private channels, no arbitrary subscriptions), and what it does to upstream goes through the
 * fan-out's reference counts, linger and rate limit. Every frame to a browser obeys one buffer
 * bound. The gateway reads raw frames itself so it can answer every bad one with an error.
 */
@WebSocketGateway({ path: '/stream', maxPayload: STREAM_HARD_MAX_PAYLOAD, perMessageDeflate: false })
export class MarketStreamGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketStreamGateway.name);
  private readonly clients = new Map<WebSocket, StreamClient>();
  private readonly metrics: StreamMetrics;
  /** One fan-out per connection, by name. */
  private readonly fanouts = new Map<string, ChannelFanout>();
  private readonly allowLists: AllowLists;
  private readonly testExchange: ReadonlySet<string>;
  private readonly stateSubscriptions: Subscription[] = [];
  /** One subscription to status pushes for all browsers that asked, serialised once per push. */
  private statusSubscription: Subscription | undefined;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly market: MarketDataService,
    private readonly status: ConnectionStatusService,
    @Inject(STREAM_LIMITS) private readonly limits: StreamLimits,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(DATA_SOURCE) source: DataSource,
  ) {
    this.metrics = new StreamMetrics(registry, () => this.clients.size, this.logger);
    for (const connection of market.connections) {
      this.fanouts.set(connection.name, new ChannelFanout(connection.feeds, limits, this.metrics));
    }
    this.allowLists = new Map(market.connections.map((c) => [c.name, c.allowList]));
    this.testExchange = new Set(source.testExchange);
  }

  onModuleInit(): void {
    for (const { name, connection } of this.market.connections) {
      this.stateSubscriptions.push(
        connection.state$.subscribe((state) => this.broadcast({ type: 'state', connection: name, state }, () => true)),
      );
    }
    // A stalled client may be sent nothing more; the sweep still finds it.
    const everyMs = Math.max(50, Math.min(1_000, Math.floor(this.limits.slowClientTimeoutMs / 2)));
    this.sweep = setInterval(() => {
      for (const client of this.clients.values()) client.checkStalled();
    }, everyMs).unref();
  }

  onModuleDestroy(): void {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    for (const subscription of this.stateSubscriptions.splice(0)) subscription.unsubscribe();
    this.statusSubscription?.unsubscribe();
    this.statusSubscription = undefined;
    for (const fanout of this.fanouts.values()) fanout.close();
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  handleConnection(socket: WebSocket): void {
    // Socket errors (an oversize frame, a reset) are counted and logged once per kind per
    // interval here; `ws` closes the socket itself.
    socket.on('error', (error: Error) => this.metrics.socketError(error));
    if (this.clients.size >= this.limits.maxClients) {
      this.metrics.disconnected('too_many_clients');
      socket.close(TRY_AGAIN_LATER, 'too many clients');
      return;
    }
    const client = new StreamClient(socket, this.limits, {
      dropped: (reason) => this.metrics.frameDropped(reason),
      disconnected: (reason) => this.metrics.disconnected(reason),
    });
    this.clients.set(socket, client);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onMessage(client, data, isBinary);
      } catch (error) {
        // A bug here must cost one reply, never the process or the other clients.
        this.logger.error(`stream message handler failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    const connections: WelcomeConnection[] = this.market.connections.map((c) => ({
      name: c.name,
      venue: c.venue,
      state: c.connection.state,
      channels: c.allowList.list(),
      ticker: c.ticker,
      testExchange: this.testExchange.has(c.name),
    }));
    const first = connections[0];
    client.send({
      type: 'welcome',
      channels: first?.channels ?? [],
      connection: first?.name ?? '',
      state: first?.state ?? 'closed',
      testExchange: first?.testExchange ?? false,
      connections,
    });
  }

  handleDisconnect(socket: WebSocket): void {
    const client = this.clients.get(socket);
    if (client === undefined) return;
    this.clients.delete(socket);
    for (const fanout of this.fanouts.values()) fanout.leaveAll(client);
    if (client.wantsStatus) this.updateStatusSubscription();
  }

  private onMessage(client: StreamClient, data: RawData, isBinary: boolean): void {
    // Rate first: a flood must cost as little as possible, so it is refused before parsing.
    if (!client.bucket.take()) {
      if (client.shouldReportRateLimit()) {
        client.send({ type: 'error', code: 'rate_limited', message: `at most ${this.limits.ratePerSec} messages per second` });
      }
      this.refused(client);
      return;
    }
    const parsed = parseStreamRequest(data, isBinary, this.allowLists, { maxBytes: this.limits.maxMessageBytes });
    if (!parsed.ok) {
      client.send({
        type: 'error',
        code: parsed.code,
        message: parsed.message,
        ...(parsed.id === undefined ? {} : { id: parsed.id }),
      });
      this.refused(client);
      return;
    }
    client.refusedInRow = 0;
    this.handle(client, parsed.request);
  }

  private handle(client: StreamClient, request: StreamRequest): void {
    const id = request.id === undefined ? {} : { id: request.id };
    switch (request.type) {
      case 'ping':
        client.send({ type: 'pong', ...id });
        return;
      case 'status':
        // The current snapshot now, then a push on every connection event and every interval.
        if (!client.wantsStatus) {
          client.wantsStatus = true;
          this.updateStatusSubscription();
        }
        client.send({ type: 'status', ...this.status.snapshot(), ...id });
        return;
      case 'subscribe': {
        const { connection, channel } = request;
        this.fanoutOf(connection).join(client, channel);
        client.send({ type: 'subscribed', connection, channel, ...id });
        // Joined a channel that is already refused: say so now, not only at its next retry.
        const status = this.market.get(connection)?.feeds.status(channel);
        if (status !== undefined && (status.state === 'refused' || status.state === 'failed')) {
          client.send({
            type: 'error',
            code: 'channel_unavailable',
            connection: status.connection,
            channel,
            message: 'the exchange did not provide this channel; retrying',
          });
        }
        return;
      }
      case 'unsubscribe': {
        const { connection, channel } = request;
        this.fanoutOf(connection).leave(client, channel);
        client.send({ type: 'unsubscribed', connection, channel, ...id });
        return;
      }
    }
  }

  /** The parser resolved the name against the same connections: a miss is a bug here. */
  private fanoutOf(connection: string): ChannelFanout {
    const fanout = this.fanouts.get(connection);
    if (fanout === undefined) throw new Error(`no fan-out for connection ${connection}`);
    return fanout;
  }

  /** Status pushes flow only while some browser asked for them. */
  private updateStatusSubscription(): void {
    const wanted = [...this.clients.values()].some((c) => c.wantsStatus);
    if (wanted && this.statusSubscription === undefined) {
      this.statusSubscription = this.status.updates$.subscribe((snapshot) =>
        this.broadcast({ type: 'status', ...snapshot }, (c) => c.wantsStatus),
      );
    } else if (!wanted && this.statusSubscription !== undefined) {
      this.statusSubscription.unsubscribe();
      this.statusSubscription = undefined;
    }
  }

  /** One serialisation for every client `to` selects. */
  private broadcast(message: StreamMessage, to: (client: StreamClient) => boolean): void {
    if (this.clients.size === 0) return;
    const encoded = encodeFrame(message, this.limits.maxFrameBytes);
    if (!encoded.ok) {
      this.metrics.frameDropped(encoded.reason);
      return;
    }
    for (const client of this.clients.values()) if (to(client)) client.sendFrame(encoded.bytes);
  }

  private refused(client: StreamClient): void {
    client.refusedInRow += 1;
    if (client.refusedInRow >= this.limits.maxRefusedInRow) {
      client.disconnect('refused_messages', POLICY_VIOLATION, 'too many refused messages');
    }
  }
}
