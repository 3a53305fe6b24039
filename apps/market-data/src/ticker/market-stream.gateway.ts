import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { ConnectionStatusService } from '../status/connection-status.service.js';
import { MarketDataService } from './market-data.service.js';
import { StreamClient } from './stream-client.js';
import { STREAM_HARD_MAX_PAYLOAD, STREAM_LIMITS, type StreamLimits } from './stream-limits.js';
import { type StreamRequest, parseStreamRequest } from './stream-protocol.js';

/** Close codes (RFC 6455 §7.4.1). */
const POLICY_VIOLATION = 1008;
const TRY_AGAIN_LATER = 1013;
/** Key of a client's status subscription; no channel name starts with '#'. */
const STATUS_KEY = '#status';

/**
 * `/stream`: re-broadcasts public market data to browsers. A browser can only pick channels from
 * the allow-list; it never reaches the authenticated connection itself (no method calls, no
 * private channels, no arbitrary subscriptions). The gateway reads raw frames itself so it can
 * answer every bad one with an error instead of dropping it silently.
 */
@WebSocketGateway({ path: '/stream', maxPayload: STREAM_HARD_MAX_PAYLOAD, perMessageDeflate: false })
export class MarketStreamGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MarketStreamGateway.name);
  private readonly clients = new Map<WebSocket, StreamClient>();
  private stateSubscription: Subscription | undefined;

  constructor(
    private readonly market: MarketDataService,
    private readonly status: ConnectionStatusService,
    @Inject(STREAM_LIMITS) private readonly limits: StreamLimits,
  ) {}

  onModuleInit(): void {
    this.stateSubscription = this.market.state$.subscribe((state) => {
      for (const client of this.clients.values()) client.send({ type: 'state', connection: this.market.connectionName, state });
    });
  }

  onModuleDestroy(): void {
    this.stateSubscription?.unsubscribe();
    for (const client of this.clients.values()) client.dispose();
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  handleConnection(socket: WebSocket): void {
    if (this.clients.size >= this.limits.maxClients) {
      socket.close(TRY_AGAIN_LATER, 'too many clients');
      return;
    }
    const client = new StreamClient(socket, this.limits);
    this.clients.set(socket, client);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onMessage(client, data, isBinary);
      } catch (error) {
        // A bug here must cost one reply, never the process or the other clients.
        this.logger.error(`stream message handler failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    client.send({
      type: 'welcome',
      channels: this.market.allowList.list(),
      connection: this.market.connectionName,
      state: this.market.state,
    });
  }

  handleDisconnect(socket: WebSocket): void {
    this.clients.get(socket)?.dispose();
    this.clients.delete(socket);
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
    const parsed = parseStreamRequest(data, isBinary, this.market.allowList, { maxBytes: this.limits.maxMessageBytes });
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
        if (!client.subscriptions.has(STATUS_KEY)) {
          client.subscriptions.set(
            STATUS_KEY,
            this.status.updates$.subscribe((snapshot) => client.send({ type: 'status', ...snapshot })),
          );
        }
        client.send({ type: 'status', ...this.status.snapshot(), ...id });
        return;
      case 'subscribe': {
        const { channel } = request;
        if (!client.subscriptions.has(channel)) {
          const subscription = this.market.stream(channel).subscribe({
            next: (payload) => client.send({ type: 'data', channel, data: payload }),
            error: (error: unknown) => {
              this.market.logStreamError(channel, error);
              client.subscriptions.delete(channel);
              client.send({
                type: 'error',
                code: 'channel_unavailable',
                message: 'channel is unavailable; subscribe again later',
              });
            },
          });
          client.subscriptions.set(channel, subscription);
        }
        client.send({ type: 'subscribed', channel, ...id });
        return;
      }
      case 'unsubscribe': {
        const { channel } = request;
        client.subscriptions.get(channel)?.unsubscribe();
        client.subscriptions.delete(channel);
        client.send({ type: 'unsubscribed', channel, ...id });
        return;
      }
    }
  }

  private refused(client: StreamClient): void {
    client.refusedInRow += 1;
    if (client.refusedInRow >= this.limits.maxRefusedInRow) {
      client.socket.close(POLICY_VIOLATION, 'too many refused messages');
    }
  }
}
