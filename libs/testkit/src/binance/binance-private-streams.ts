import {
  FeedHub,
  type FeedCatalog,
  type FeedHubOptions,
  type FeedSubscriber,
  type FrameEncoder,
} from '../shared/feeds/feed-hub.js';
import type { BinanceSession } from './binance-session.js';
import { BinanceFuturesUserDataFeed } from './feeds/futures-user-data-feed.js';

/** The one generated channel behind every `/private` socket (one stream per account). */
const CHANNEL = 'futuresUserData';

/** One `/private` socket: the key it opened with, its account, its `events` allow list. */
interface PrivateStream extends FeedSubscriber {
  readonly session: BinanceSession;
  readonly listenKey: string;
  readonly apiKey: string;
  readonly allows: (type: unknown) => boolean;
}

function typeOf(event: unknown): unknown {
  return typeof event === 'object' && event !== null ? (event as { e?: unknown }).e : undefined;
}

/**
 * The USDⓈ-M `/private` sockets (2026 routed path; `?listenKey=<key>[&events=A/B]`): each gets its
 * account's events, raw, filtered by its `events` allow list (none: every event) — the list is an
 * allow list for `listenKeyExpired` too, as measured against the venue. When the key ends, its
 * sockets get `listenKeyExpired` (`E` a string, the key named, as the docs show) and then nothing
 * more: they stay open, silent, as the venue's do.
 */
export class BinancePrivateStreams {
  private readonly hub: FeedHub<'futuresUserData'>;
  private readonly streams = new Map<BinanceSession, PrivateStream>();

  constructor(options: FeedHubOptions, symbols: readonly string[]) {
    const catalog: FeedCatalog<'futuresUserData'> = {
      parse: (channel) => (channel === CHANNEL ? CHANNEL : undefined),
      isPrivate: () => true,
      create: (_parsed, random) => new BinanceFuturesUserDataFeed(symbols, random),
    };
    this.hub = new FeedHub(catalog, { ...options, namespace: 'usdm-private' });
  }

  /** A socket opened with a live key: its account's events from now on. */
  attach(session: BinanceSession, listenKey: string, apiKey: string, events: ReadonlySet<string> | undefined): void {
    const allows = (type: unknown): boolean => events === undefined || (typeof type === 'string' && events.has(type));
    // Its own encoder: an event the list leaves out encodes to nothing and is not sent.
    const encoder: FrameEncoder = (_channel, data) => (allows(typeOf(data)) ? JSON.stringify(data) : '');
    const stream: PrivateStream = {
      session,
      listenKey,
      apiKey,
      allows,
      encoder,
      send: (frame) => {
        if (frame !== '') session.send(frame);
      },
    };
    this.streams.set(session, stream);
    this.hub.add(stream, CHANNEL, CHANNEL, apiKey);
    this.hub.activate(stream, CHANNEL);
  }

  detach(session: BinanceSession): void {
    const stream = this.streams.get(session);
    if (stream === undefined) return;
    this.streams.delete(session);
    this.hub.removeAll(stream);
  }

  /** `listenKeyExpired` to the sockets on that key (those whose list allows it); all of them go silent. Returns how many got it. */
  expired(listenKey: string, now: number): number {
    let sent = 0;
    for (const stream of [...this.streams.values()]) {
      if (stream.listenKey !== listenKey) continue;
      this.hub.removeAll(stream);
      if (stream.allows('listenKeyExpired')) {
        stream.session.send(JSON.stringify({ e: 'listenKeyExpired', E: String(now), listenKey }));
        sent += 1;
      }
    }
    return sent;
  }

  /** Pushes `count` generated events of one account to its live sockets; returns how many sockets. */
  publish(apiKey: string, count: number): number {
    return this.hub.publishTo(CHANNEL, apiKey, count);
  }

  /** Sends one given event to the account's live sockets whose list allows it; returns how many. */
  inject(apiKey: string, event: Readonly<Record<string, unknown>>): number {
    let sent = 0;
    const frame = JSON.stringify(event);
    for (const stream of this.streams.values()) {
      if (stream.apiKey !== apiKey || !this.hub.has(stream, CHANNEL) || !stream.allows(event.e)) continue;
      stream.session.send(frame);
      sent += 1;
    }
    return sent;
  }

  /** The account a socket streams, while its key lives. */
  accountOf(session: BinanceSession): string | undefined {
    const stream = this.streams.get(session);
    return stream !== undefined && this.hub.has(stream, CHANNEL) ? stream.apiKey : undefined;
  }

  clear(): void {
    this.hub.clear();
    this.streams.clear();
  }
}
