import type { ClientLogger } from '../../client/client-types.js';
import type { Clock } from '../../client/clock.js';
import { ExchangeConnectionError, isExchangeConnectionError } from '../../client/errors.js';
import type { VenueMessage } from '../../client/venue-codec.js';
import type { RestoreStep, RoutedNotification, VenueRpc, VenueSession } from '../venue-adapter.js';
import { bybitAuthArgs, type BybitApiKey } from './bybit-auth.js';
import { retryOnBackOff, type BackOffOptions } from './bybit-back-off.js';
import { markRestartSnapshot } from './bybit-book.js';
import { bybitErrorClass } from './bybit-errors.js';
import { planBybitRequests } from './bybit-subscribe-plan.js';
import { bybitTopicProblem, type BybitMarket } from './bybit-topics.js';

/** Adapter-wide settings a session runs with (resolved defaults). */
export interface BybitSessionConfig {
  market: BybitMarket;
  authValidityMs: number;
  /** `{"op":"ping"}` every this many ms (docs recommend 20 s; the venue cuts after 10 min of silence). */
  pingIntervalMs: number;
  maxArgsPerRequest: number;
  /** Subscribe requests awaiting their ack at once during a restore. */
  maxRequestsInFlight: number;
  backOff: Required<BackOffOptions>;
  clock: Clock;
  logger?: ClientLogger;
}

export interface BybitSessionOptions {
  credentials?: BybitApiKey;
}

const UNKNOWN: RoutedNotification = Object.freeze({ kind: 'unknown' });

/** A routed data message, reused for every frame of a session (the contract allows it). */
interface RoutedData {
  kind: 'data';
  channel: string;
  data: unknown;
}

// Subscribing a topic twice on one socket is answered with an error naming it "already
// subscribed": for a restore that retries topics one by one, that is a success.
const ALREADY_SUBSCRIBED = /already subscribed/i;

/**
 * One Bybit v5 stream session on one socket: auth (private, with a fresh `expires`), the client-sent
 * ping, batched subscriptions. It sends through the VenueRpc it was given and never reads a socket.
 */
export class BybitSession implements VenueSession {
  readonly #abort = new AbortController();
  #authenticated = false;
  #pingTimer: unknown;
  #pingsSent = 0;
  #pongs = 0;
  readonly #routed: RoutedData = { kind: 'data', channel: '', data: undefined };

  constructor(
    private readonly rpc: VenueRpc,
    private readonly options: BybitSessionOptions,
    private readonly onFatal: (error: ExchangeConnectionError) => void,
    private readonly config: BybitSessionConfig,
  ) {
    if (config.market === 'private' && options.credentials === undefined) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'a Bybit private connection needs credentials (apiKey, apiSecret)');
    }
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Pings sent and pongs received on this socket. */
  get heartbeat(): { pingsSent: number; pongs: number } {
    return { pingsSent: this.#pingsSent, pongs: this.#pongs };
  }

  /** Private: auth with a fresh `expires` (a rebuild never reuses a signed frame). Then the ping starts. */
  async restore(onStep?: (step: RestoreStep) => void): Promise<void> {
    this.#assertLive();
    const credentials = this.options.credentials;
    if (this.config.market === 'private' && credentials !== undefined) {
      onStep?.('auth');
      // Built inside the retry: every attempt signs its own expires.
      await this.#call('auth', () => ({
        args: bybitAuthArgs(credentials, this.config.clock.now(), this.config.authValidityMs),
      }));
      this.#authenticated = true;
    }
    onStep?.('heartbeat');
    this.#schedulePing();
  }

  /**
   * Subscribes in requests of at most `maxArgsPerRequest` args. A refused request is retried topic
   * by topic, so one unknown topic costs only itself; the result lists the topics now subscribed.
   */
  async subscribe(topics: readonly string[]): Promise<string[]> {
    this.#assertLive();
    const wanted = this.#sendable(topics);
    const accepted: string[] = [];
    await this.#eachRequest(wanted, async (args) => {
      try {
        await this.#call('subscribe', () => ({ args }));
        accepted.push(...args);
      } catch (error) {
        if (bybitErrorClass(error) !== 'reject') throw error;
        if (args.length === 1) {
          if (isExchangeConnectionError(error) && ALREADY_SUBSCRIBED.test(error.message)) accepted.push(...args);
          else this.config.logger?.warn('Bybit refused a topic', { topic: args[0], code: codeOf(error) });
          return;
        }
        for (const topic of args) {
          try {
            await this.#call('subscribe', () => ({ args: [topic] }));
            accepted.push(topic);
          } catch (single) {
            if (bybitErrorClass(single) !== 'reject') throw single;
            if (isExchangeConnectionError(single) && ALREADY_SUBSCRIBED.test(single.message)) accepted.push(topic);
            else this.config.logger?.warn('Bybit refused a topic', { topic, code: codeOf(single) });
          }
        }
      }
    });
    return accepted;
  }

  /** A refused unsubscribe means the topic is not subscribed: it counts as removed. */
  async unsubscribe(topics: readonly string[]): Promise<string[]> {
    this.#assertLive();
    const removed: string[] = [];
    await this.#eachRequest(this.#sendable(topics), async (args) => {
      try {
        await this.#call('unsubscribe', () => ({ args }));
      } catch (error) {
        if (bybitErrorClass(error) !== 'reject') throw error;
      }
      removed.push(...args);
    });
    return removed;
  }

  /** Data messages carry a topic; the channel is the topic and the data the whole message (its `type` matters). */
  route(message: VenueMessage): RoutedNotification {
    const topic = (message as { topic?: unknown }).topic;
    if (typeof topic !== 'string') return UNKNOWN;
    if (topic.startsWith('orderbook.')) markRestartSnapshot(message);
    const routed = this.#routed;
    routed.channel = topic;
    routed.data = message;
    return routed;
  }

  dispose(): void {
    this.#abort.abort();
    if (this.#pingTimer !== undefined) this.config.clock.clearTimeout(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  /** Topics this socket may carry; the rest are refused here, without a request (left out of the result). */
  #sendable(topics: readonly string[]): string[] {
    const sendable: string[] = [];
    for (const topic of topics) {
      const problem = bybitTopicProblem(topic, this.config.market);
      if (problem === undefined) sendable.push(topic);
      else this.config.logger?.warn(`Bybit topic not sent: ${problem}`, { topic: topic.slice(0, 100) });
    }
    return sendable;
  }

  /** Runs the planned requests with at most `maxRequestsInFlight` awaiting their ack. */
  async #eachRequest(topics: readonly string[], run: (args: string[]) => Promise<void>): Promise<void> {
    const requests = planBybitRequests(topics, this.config.maxArgsPerRequest);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const args = requests[next++];
        if (args !== undefined) await run(args);
      }
    };
    const workers = Math.min(this.config.maxRequestsInFlight, requests.length);
    await Promise.all(Array.from({ length: workers }, worker));
  }

  #schedulePing(): void {
    if (this.#abort.signal.aborted) return;
    this.#pingTimer = this.config.clock.setTimeout(() => {
      this.#pingTimer = undefined;
      this.#ping();
      this.#schedulePing();
    }, this.config.pingIntervalMs);
  }

  #ping(): void {
    this.#pingsSent += 1;
    // Fire-and-forget: the pong is life for the client's watchdog like any frame; a ping that
    // fails is logged, and silence is the watchdog's and the sweep's to judge.
    this.rpc.request('ping').then(
      () => {
        this.#pongs += 1;
      },
      (error: unknown) => {
        if (this.#abort.signal.aborted) return;
        // Nothing else is waiting on a ping: "service restarting" must end the session from here.
        if (bybitErrorClass(error) === 'reconnect') this.#reportFatal(error as ExchangeConnectionError);
        else this.config.logger?.warn('Bybit ping failed', { code: codeOf(error) });
      },
    );
  }

  /** Idempotent ops only (auth, subscribe, unsubscribe): a rate limit is retried after a back-off. */
  /**
   * A failure here fails the restore or the sync that asked, and the supervisor builds a new socket
   * (a "service restarting" answer included: a new socket is routed to a live service).
   */
  #call<T>(op: string, params: () => Record<string, unknown>): Promise<T> {
    return retryOnBackOff(
      () => {
        this.#assertLive();
        return this.rpc.request<T>(op, params());
      },
      this.config.clock,
      this.config.backOff,
      this.#abort.signal,
    );
  }

  #reportFatal(error: ExchangeConnectionError): void {
    if (this.#abort.signal.aborted) return;
    this.onFatal(error);
  }

  #assertLive(): void {
    if (this.#abort.signal.aborted) throw new ExchangeConnectionError('NOT_CONNECTED', 'Bybit session was disposed');
  }
}

function codeOf(error: unknown): string {
  return isExchangeConnectionError(error) ? error.code : 'UNKNOWN';
}
