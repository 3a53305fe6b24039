import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { isSendableCloseCode } from './close-codes.js';
import type { ExchangeEvent } from './exchange-event.js';
import type { FaultState } from './fault-state.js';
import type { SocketSession, SocketSessionInit } from './socket-session.js';
import { WsListener, type UpgradeDecision } from './ws-listener.js';

export interface ExchangeHostOptions<S extends SocketSession> {
  readonly host: string;
  /** Hard bound enforced by ws itself (it closes with 1009 above it). */
  readonly hardMaxPayload: number;
  readonly faults: FaultState;
  readonly now: () => number;
  /** The route an upgrade URL belongs to; undefined answers 404. */
  readonly route: (url: URL) => string | undefined;
  /** A status refusing an upgrade on a known route (a venue's connection limit), else null. */
  readonly admit?: (route: string, url: URL) => number | null;
  readonly createSession: (init: SocketSessionInit, route: string, url: URL) => S;
  readonly onFrame: (session: S, data: Buffer, isBinary: boolean) => void;
  readonly onClosed: (session: S, code: number, reason: string) => void;
  readonly onHttpRequest?: (request: IncomingMessage, response: ServerResponse, url: URL) => boolean;
  readonly onEvent: (event: ExchangeEvent) => void;
}

interface Live<S> {
  readonly session: S;
  readonly closed: Promise<void>;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * The life of one test exchange, whatever its venue: the listener, the live sessions, stop,
 * restart on the same port, close and terminate. Venue code decides routes and speaks the protocol.
 */
export class ExchangeHost<S extends SocketSession> {
  private readonly listener: WsListener;
  private readonly live = new Map<number, Live<S>>();
  private nextConnectionId = 0;
  private boundPort = 0;
  private isRunning = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ExchangeHostOptions<S>) {
    this.listener = new WsListener({
      host: options.host,
      hardMaxPayload: options.hardMaxPayload,
      decideUpgrade: (url) => this.decide(url),
      onConnection: (socket, request, route, url) => this.accept(socket, request, route, url),
      onHttpRequest: options.onHttpRequest,
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** `ws://host:port` (IPv6 hosts bracketed); paths are the venue's business. */
  get origin(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `ws://${host}:${this.boundPort}`;
  }

  async listen(port: number): Promise<void> {
    this.boundPort = await this.listener.listen(port);
    this.isRunning = true;
    this.stopping = undefined;
  }

  /** Terminates every socket, then closes the listener. Idempotent. */
  stop(): Promise<void> {
    if (!this.isRunning) return this.stopping ?? Promise.resolve();
    this.isRunning = false;
    this.stopping = this.shutdown();
    return this.stopping;
  }

  sessions(): IterableIterator<S> {
    const live = this.live.values();
    return (function* () {
      for (const { session } of live) yield session;
    })();
  }

  get size(): number {
    return this.live.size;
  }

  /** A close frame with `code` to every socket; codes that cannot be sent (1005/1006/1015) terminate. */
  closeAll(code = 1000, reason = ''): void {
    for (const { session } of this.live.values()) {
      if (isSendableCloseCode(code)) session.close(code, reason);
      else session.terminate();
    }
  }

  terminateAll(): void {
    for (const { session } of this.live.values()) session.terminate();
  }

  private decide(url: URL): UpgradeDecision {
    const route = this.options.route(url);
    if (route === undefined) return { reject: 404 };
    const status = this.options.faults.upgradeRejection ?? this.options.admit?.(route, url) ?? null;
    if (status !== null) {
      this.emit({ type: 'upgrade-rejected', status });
      return { reject: status };
    }
    return { accept: route };
  }

  private async shutdown(): Promise<void> {
    const closing = [...this.live.values()].map(({ session, closed }) => {
      session.dispose();
      session.terminate();
      return closed;
    });
    await Promise.all(closing);
    await this.listener.close();
  }

  private accept(socket: WebSocket, request: IncomingMessage, route: string, url: URL): void {
    if (!this.isRunning) {
      socket.terminate();
      return;
    }
    this.nextConnectionId += 1;
    const session = this.options.createSession(
      {
        id: this.nextConnectionId,
        socket,
        remoteAddress: request.socket.remoteAddress ?? '',
        remotePort: request.socket.remotePort ?? 0,
        openedAt: this.options.now(),
        faults: this.options.faults,
      },
      route,
      url,
    );
    socket.on('message', (data, isBinary) => this.options.onFrame(session, toBuffer(data), isBinary));
    socket.on('ping', (data) => session.onPing(data));
    socket.on('pong', (data) => session.onPong(data));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => {
      socket.once('close', (code, reason) => {
        session.dispose();
        this.live.delete(session.id);
        this.options.onClosed(session, code, reason.toString());
        const serverReason = session.serverCloseReason;
        this.emit({
          type: 'close',
          connectionId: session.id,
          code,
          reason: reason.toString(),
          heartbeatTimeout: serverReason === 'heartbeat-timeout',
          ...(serverReason === undefined ? {} : { serverReason }),
        });
        resolve();
      });
    });
    this.live.set(session.id, { session, closed });
    this.emit({
      type: 'connection',
      connectionId: session.id,
      remoteAddress: session.remoteAddress,
      remotePort: session.remotePort,
      route,
    });
  }

  emit(event: ExchangeEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's bug must not take the exchange down.
    }
  }
}
