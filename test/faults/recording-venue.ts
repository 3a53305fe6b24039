import {
  ExchangeClient,
  type ExchangeConnectionError,
  type PreparedSocket,
  type RestoreStep,
  type RoutedNotification,
  type SequenceInfo,
  type VenueAdapter,
  type VenueCodec,
  type VenueMessage,
  type VenueRpc,
  type VenueSession,
  type VenueSessionOptions,
} from '@exchange-connection/core';

/** What one venue session (one socket) was asked to subscribe, as the supervisor asked it. */
export interface SessionRecord {
  readonly index: number;
  /** channel → times it was passed to `subscribe` on this session. */
  readonly subscribes: Map<string, number>;
  /** channel → times it was passed to `unsubscribe` on this session. */
  readonly unsubscribes: Map<string, number>;
  /** A channel subscribed again on the same session without an unsubscribe in between. */
  readonly violations: string[];
}

/**
 * Wraps the real adapter (no behaviour changed) to see, per session, every channel the supervisor
 * asks the venue for, and to keep every ExchangeClient the supervisor built (the session's rpc is
 * the client), so the harness can prove their listeners are gone after close.
 */
export class RecordingVenue implements VenueAdapter {
  readonly sessions: SessionRecord[] = [];
  readonly clients: ExchangeClient[] = [];

  constructor(private readonly inner: VenueAdapter) {}

  get venue(): string {
    return this.inner.venue;
  }

  get frameLimits(): VenueAdapter['frameLimits'] {
    return this.inner.frameLimits;
  }

  get currentSession(): SessionRecord | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  createSession(
    rpc: VenueRpc,
    options: VenueSessionOptions,
    onFatal: (error: ExchangeConnectionError) => void,
    prepared?: PreparedSocket,
  ): VenueSession {
    if (rpc instanceof ExchangeClient && !this.clients.includes(rpc)) this.clients.push(rpc);
    const session = this.inner.createSession(rpc, options, onFatal, prepared);
    const record: SessionRecord = { index: this.sessions.length, subscribes: new Map(), unsubscribes: new Map(), violations: [] };
    this.sessions.push(record);
    const live = new Set<string>();
    const wrapped: VenueSession = {
      restore: (onStep?: (step: RestoreStep) => void) => session.restore(onStep),
      subscribe: (channels: readonly string[]) => {
        for (const channel of channels) {
          if (live.has(channel)) record.violations.push(`${channel} subscribed twice on session ${record.index}`);
          live.add(channel);
          record.subscribes.set(channel, (record.subscribes.get(channel) ?? 0) + 1);
        }
        return session.subscribe(channels);
      },
      unsubscribe: (channels: readonly string[]) => {
        for (const channel of channels) {
          live.delete(channel);
          record.unsubscribes.set(channel, (record.unsubscribes.get(channel) ?? 0) + 1);
        }
        return session.unsubscribe(channels);
      },
      route: (message: VenueMessage): RoutedNotification => session.route(message),
      dispose: () => session.dispose(),
    };
    const beforeClose = session.beforeClose?.bind(session);
    if (beforeClose) wrapped.beforeClose = () => beforeClose();
    return wrapped;
  }

  isPrivateChannel(channel: string): boolean {
    return this.inner.isPrivateChannel(channel);
  }

  sequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
    return this.inner.sequenceOf(channel, data);
  }

  createCodec(): VenueCodec {
    return this.inner.createCodec();
  }

  isFatal(error: ExchangeConnectionError): boolean {
    return this.inner.isFatal(error);
  }

  // The optional hooks, forwarded only where the real adapter has them (so the supervisor sees
  // exactly what it would see without the recorder).
  get validateSessionOptions(): VenueAdapter['validateSessionOptions'] {
    return this.inner.validateSessionOptions?.bind(this.inner);
  }

  get prepareSocket(): VenueAdapter['prepareSocket'] {
    return this.inner.prepareSocket?.bind(this.inner);
  }

  get socketUrl(): VenueAdapter['socketUrl'] {
    return this.inner.socketUrl?.bind(this.inner);
  }

  get isSequencedChannel(): VenueAdapter['isSequencedChannel'] {
    return this.inner.isSequencedChannel?.bind(this.inner);
  }

  get shardBudget(): VenueAdapter['shardBudget'] {
    return this.inner.shardBudget;
  }

  get outboundRate(): VenueAdapter['outboundRate'] {
    return this.inner.outboundRate;
  }

  get maxSocketLifetimeMs(): VenueAdapter['maxSocketLifetimeMs'] {
    return this.inner.maxSocketLifetimeMs;
  }

  get overlapKey(): VenueAdapter['overlapKey'] {
    return this.inner.overlapKey?.bind(this.inner);
  }
}
