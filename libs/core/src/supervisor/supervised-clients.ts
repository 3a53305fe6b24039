import type { ExchangeClientOptions } from '../client/client-types.js';
import type { ExchangeConnectionError } from '../client/errors.js';
import { ExchangeClient } from '../client/exchange-client.js';
import type { VenueMessage } from '../client/venue-codec.js';
import type { PreparedSocket } from '../venues/venue-adapter.js';
import type { SupervisedConnectionOptions } from './supervisor-options.js';

/** Where a supervised connection hears from each of its clients. */
export interface ClientListeners {
  message(client: ExchangeClient, message: VenueMessage): void;
  /** The client died (`down`, or closed with an error). */
  fault(client: ExchangeClient, error: ExchangeConnectionError): void;
  malformed(reason: string): void;
}

/**
 * Builds the connection's clients, one per cycle (a rebuild's or a rotation's), with reconnection
 * off and the connection's listeners on; takes the listeners off once a client is closed.
 */
export class SupervisedClients {
  private readonly detachers = new WeakMap<ExchangeClient, () => void>();
  /** What the venue prepared for each client's socket (`prepareSocket`), for its session. */
  private readonly preparedSockets = new WeakMap<ExchangeClient, PreparedSocket>();

  constructor(
    private readonly options: Pick<SupervisedConnectionOptions, 'name' | 'url' | 'venue' | 'client' | 'logger' | 'session'>,
    private readonly listeners: ClientListeners,
  ) {}

  optionsFor(cycle: number): ExchangeClientOptions {
    const { options } = this;
    return {
      ...options.client,
      frameLimits: { ...options.venue.frameLimits, ...options.client?.frameLimits },
      outboundRate: options.client?.outboundRate ?? options.venue.outboundRate,
      url: options.venue.socketUrl?.(options.url) ?? options.url,
      name: options.name,
      // The client opens one socket and ends: its lines belong to this connection's cycle.
      logContext: { cycle, correlationId: correlationId(options.name, cycle) },
      reconnectOnError: false,
      maxRetries: 0,
      codec: options.venue.createCodec(),
      logger: options.logger,
    };
  }

  create(cycle: number): ExchangeClient {
    const { listeners } = this;
    // Messages come through the client's direct sink (no emit per frame); `client` is assigned
    // before the first can arrive (the constructor opens nothing).
    const options = this.optionsFor(cycle);
    const { venue, session } = this.options;
    const prepare = venue.prepareSocket?.bind(venue);
    const client: ExchangeClient = new ExchangeClient({
      ...options,
      onMessage: (message: VenueMessage) => listeners.message(client, message),
      // Before the socket: the venue's token for its URL, kept for the session built on it.
      ...(prepare === undefined
        ? {}
        : {
            prepareUrl: async (signal: AbortSignal) => {
              const prepared = await prepare(options.url, session ?? {}, signal);
              this.preparedSockets.set(client, prepared);
              return prepared.url;
            },
          }),
    });
    const onDown = ({ cause }: { cause: ExchangeConnectionError }) => listeners.fault(client, cause);
    const onClosed = ({ error }: { error?: ExchangeConnectionError }) => {
      if (error) listeners.fault(client, error);
    };
    const onMalformed = ({ reason }: { reason: string }) => listeners.malformed(reason);
    client.on('down', onDown);
    client.on('closed', onClosed);
    client.on('malformed', onMalformed);
    // A retired client must not keep this connection reachable through its listeners.
    this.detachers.set(client, () => {
      client.off('down', onDown);
      client.off('closed', onClosed);
      client.off('malformed', onMalformed);
    });
    return client;
  }

  /** What `prepareSocket` made for this client's socket, for its session (undefined without one). */
  preparedFor(client: ExchangeClient): PreparedSocket | undefined {
    return this.preparedSockets.get(client);
  }

  /** Drops the connection's listeners from a client once it is closed (no event follows its close). */
  detach(client: ExchangeClient): void {
    this.detachers.get(client)?.();
    this.detachers.delete(client);
  }
}

/** One id for every log line of one session, from both layers: `<connection>/<cycle>`. */
export function correlationId(name: string, cycle: number): string {
  return `${name}/${cycle}`;
}
