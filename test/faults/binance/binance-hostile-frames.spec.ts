import {
  BINANCE_USER_DATA_CHANNEL as USER_DATA,
  BINANCE_DEFAULTS,
  BinanceAdapter,
  SupervisedConnection,
  noJitter,
  type ConnectionEvent,
} from '@exchange-connection/core';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth } from '../../support/open-handles.js';
import { waitFor } from '../../support/wait-for.js';
import { captureLogger } from '../../supervisor/fixtures.js';
import {
  NEVER_SENT_ID,
  certainlyMalformed,
  json,
  kindsOf,
  neverSentIds,
  valueDepth,
  venueNeutralFrames,
  type HostileFrame,
} from '../hostile-frame-arbitraries.js';
import { HEAP_GROWTH_LIMIT_BYTES, HeapPeak, frameFaultLines, junkLogLines } from '../hostile-run-watch.js';

/**
 * Thousands of random and hostile frames at a live Binance spot connection, sent by the real test
 * exchange (`sendRaw`) between its own valid data: the connection stays up, counts the junk, never
 * hands a consumer a frame that failed validation or a broken book, and valid data keeps flowing.
 */

const TRADES = 'btcusdt@trade';
const TICKER = 'ethusdt@bookTicker';
const BOOK = 'btcusdt@depth@100ms';
const MAX_PAYLOAD = 64 * 1024;
/** The venue's soft cap (frameLimits.maxBytes), below the client's hard maxPayload. */
const VENUE_MAX_BYTES = 48 * 1024;
/** The default nesting bound, which Binance adapters take. */
const VENUE_MAX_DEPTH = BINANCE_DEFAULTS.frameLimits.maxDepth;

interface Market {
  market: 'spot' | 'futures-public';
  product: 'spot' | 'usdm';
  frames: number;
  url(exchange: BinanceTestExchange): string;
}

const MARKETS: Market[] = [
  { market: 'spot', product: 'spot', frames: 2_500, url: (exchange) => exchange.urls.spotCombined },
  // USDⓈ-M books chain by `pu`: the same junk against the other flavour of the book sync.
  { market: 'futures-public', product: 'usdm', frames: 1_000, url: (exchange) => `${exchange.urls.usdmPublic}/stream` },
];
/** The first SUBSCRIBE's id, answered during the restore: a duplicate answer must match nothing. */
const ANSWERED_ID = 1;

const combined = (stream: string, data: unknown): Record<string, unknown> => ({ stream, data });

const streamish = fc.oneof(
  fc.constantFrom(TRADES, TICKER, BOOK, 'btcusdt@depth', '', '__proto__', 'constructor', '!serverShutdown ', 'userData'),
  fc.string({ maxLength: 30 }),
);
/** What an update id can be when it is not a safe integer in order. */
const oddId = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1_000, max: -1 }),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e300, -0, 0),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('NaN', 'Infinity', '-1', '1e999', null, true, [], {}),
);
/** Levels as the venue sends them, and what a broken venue might. */
const levels = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('100.0', '99.5', '0'), fc.constantFrom('1.0', '0', '0.00000001')), { maxLength: 3 }),
  fc.constantFrom('x', 1, null, [1], [null], [{}], ['ab'], [['1']], [[1, 2]], [['1', '2', '3']], [[null, null]], [[[], {}]]),
);

const binanceFrames: Array<fc.Arbitrary<HostileFrame>> = [
  // {stream, data} with data of the wrong type: no Binance event.
  fc
    .record({ stream: streamish, data: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)) })
    .map(json('stream-wrong-data')),
  // depthUpdate events with ids of the wrong type, negative, huge, missing or out of order, and broken levels.
  fc
    .record(
      {
        e: fc.oneof(fc.constantFrom('depthUpdate', 'depthSnapshot', 'depthupdate', ''), fc.string({ maxLength: 12 })),
        E: oddId,
        s: fc.constantFrom('BTCUSDT', 'ETHUSDT', '', 42),
        U: oddId,
        u: oddId,
        pu: oddId,
        b: levels,
        a: levels,
      },
      { requiredKeys: ['e'] },
    )
    .map((data) => json('depth-chaos')(combined(BOOK, data))),
  // bookTicker and trade events with odd fields: data, passed on as the venue sent it.
  fc
    .record({
      stream: fc.constantFrom(TRADES, TICKER),
      data: fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    })
    .map(json('odd-market-event')),
  // Answers for ids never sent, already answered, or of the wrong type.
  fc
    .record({
      id: fc.oneof(
        fc.integer({ min: NEVER_SENT_ID, max: Number.MAX_SAFE_INTEGER }),
        fc.constant(ANSWERED_ID),
        fc.double(),
        fc.string(),
        fc.boolean(),
        fc.constant(-1),
        fc.constant({}),
      ),
      result: fc.jsonValue({ maxDepth: 3 }),
    })
    .map(json('unknown-id')),
  fc
    .record({
      id: fc.oneof(fc.integer({ min: NEVER_SENT_ID, max: Number.MAX_SAFE_INTEGER }), fc.constant(ANSWERED_ID), fc.string()),
      status: fc.oneof(fc.constantFrom(400, 401, 418, 429, 503), fc.jsonValue({ maxDepth: 1 })),
      error: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({
          code: fc.oneof(fc.constantFrom(-1003, -2015, -1021, 2), fc.integer(), fc.string()),
          msg: fc.jsonValue({ maxDepth: 1 }),
          data: fc.jsonValue({ maxDepth: 2 }),
        }),
      ),
    })
    .map(json('error-unknown-id')),
  // An error answering nobody: on a market-stream socket it means nothing.
  fc
    .record({
      id: fc.constant(null),
      status: fc.constantFrom(401, 500),
      error: fc.record({ code: fc.integer(), msg: fc.string() }),
    })
    .map(json('error-no-id')),
  // User data for subscriptions this socket does not have.
  fc
    .record({
      subscriptionId: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      event: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({
          e: fc.constantFrom('executionReport', 'eventStreamTerminated', 'balanceUpdate', 'listenKeyExpired'),
          E: oddId,
        }),
      ),
    })
    .map(json('foreign-user-data')),
  // serverShutdown and listenKeyExpired lookalikes that are not the notice (the notice itself rotates: tested below).
  fc
    .constantFrom(
      { e: 'ServerShutdown', E: 1 },
      { e: 'serverShutdown ', E: 1 },
      { e: ['serverShutdown'] },
      { stream: '!serverShutdown ', data: { e: 'serverShutdown' } },
      { stream: '!servershutdown', data: {} },
      { event: { e: 'ServerShutdown' } },
      { e: 'listenKeyExpired', E: 1, listenKey: 'x' },
      { stream: 'listenKeyExpired', data: { e: 'listenKeyExpired' } },
    )
    .map(json('notice-lookalike')),
];

const hostileFrame = fc.oneof(
  ...venueNeutralFrames({
    wrap: (data) => `{"stream":"${TRADES}","data":${data}}`,
    // A stream nobody subscribed: nothing for a consumer either way.
    padded: (padding) => JSON.stringify(combined('ethusdt@trade', { e: 'trade', padding })),
    truncated: ['{"stream":', `{"stream":"${TRADES}","data":{"e":"trade","E":`, '{"result":null,"id":', '{"e":"serverShutdown"'],
    maxPayload: MAX_PAYLOAD,
    maxDepth: VENUE_MAX_DEPTH,
    neverSent: neverSentIds,
  }),
  ...binanceFrames,
);

/**
 * Binance's own certainly-malformed frames on a market-stream socket: a stream payload that is no
 * event; and every frame without a stream but the shutdown notice (which the fuzz never sends
 * exactly): an answer nobody asked for is an unknown id, anything else is unrouted.
 */
function binanceCertain(value: Record<string, unknown>): boolean {
  if (typeof value.stream === 'string') return typeof value.data !== 'object' || value.data === null;
  return value.e !== 'serverShutdown';
}

interface BookMessage {
  e?: unknown;
  U?: unknown;
  u?: unknown;
  pu?: unknown;
  b?: unknown;
  a?: unknown;
}

/** Every way a delivered book message could be broken, as a consumer applying it would see it. */
function bookBreak(message: BookMessage, last: BookMessage | undefined, product: Market['product']): string | undefined {
  const isLevels = (side: unknown): boolean =>
    Array.isArray(side) &&
    side.every((l: unknown) => Array.isArray(l) && l.length === 2 && typeof l[0] === 'string' && typeof l[1] === 'string');
  if (message.e !== 'depthSnapshot' && message.e !== 'depthUpdate') return `type ${String(message.e)}`;
  if (typeof message.u !== 'number' || !Number.isSafeInteger(message.u)) return `u ${String(message.u)}`;
  if (message.e === 'depthSnapshot') return isLevels(message.b) && isLevels(message.a) ? undefined : 'snapshot levels';
  if (last === undefined) return 'an update before any snapshot';
  if (product === 'spot' && message.U !== (last.u as number) + 1) return `U ${String(message.U)} after u ${String(last.u)}`;
  if (product === 'usdm' && message.pu !== last.u) return `pu ${String(message.pu)} after u ${String(last.u)}`;
  return undefined;
}

describe.each(MARKETS)('Binance hostile frames: thousands of random and hostile frames at a live $market connection', (venue) => {
  const FRAMES = venue.frames;
  it('stays up, counts the junk, never delivers junk or a broken book, keeps delivering valid data', async () => {
    const baseline = resourceSnapshot();
    const exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const logger = captureLogger();
    const connection = new SupervisedConnection({
      name: 'binance-hostile',
      url: venue.url(exchange),
      venue: new BinanceAdapter({
        market: venue.market,
        restUrl: exchange.urls.rest,
        logger,
        frameLimits: { maxBytes: VENUE_MAX_BYTES },
      }),
      client: { heartbeat: false, maxPayload: MAX_PAYLOAD, requestTimeoutMs: 3_000, connectTimeoutMs: 1_000 },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      silenceTimeoutMs: 60_000,
      logger,
    });
    const events: ConnectionEvent[] = [];
    const markers = new Set<number>();
    const book: BookMessage[] = [];
    const bookBreaks: string[] = [];
    const streamErrors: unknown[] = [];
    let tooDeepDelivered = 0;
    let notAnObjectDelivered = 0;
    const watch = (channel: string, next: (data: unknown) => void): Subscription =>
      connection.channel$(channel).subscribe({
        next: (data) => {
          // The envelope is the one level above data.
          if (valueDepth(data) + 1 > VENUE_MAX_DEPTH) tooDeepDelivered += 1;
          if (typeof data !== 'object' || data === null) notAnObjectDelivered += 1;
          next(data);
        },
        error: (e: unknown) => streamErrors.push(e),
      });
    const subs: Subscription[] = [
      connection.events$.subscribe((e) => events.push(e)),
      watch(TRADES, (data) => {
        const marker = (data as { marker?: unknown }).marker;
        if (typeof marker === 'number') markers.add(marker);
      }),
      watch(TICKER, () => undefined),
      watch(BOOK, (data) => {
        const message = data as BookMessage;
        const broken = bookBreak(message, book.at(-1), venue.product);
        if (broken !== undefined) bookBreaks.push(broken);
        // Keep only what the chain check needs: holding every payload would measure the test.
        book.push({ e: message.e, U: message.U, u: message.u, pu: message.pu });
      }),
    ];
    const marker = async (n: number): Promise<void> => {
      exchange.sendRaw(JSON.stringify(combined(TRADES, { e: 'trade', E: n, s: 'BTCUSDT', t: n, p: '1', q: '1', marker: n })));
      await waitFor(() => markers.has(n), { timeoutMs: 30_000, message: `marker ${n}` }).catch((e: unknown) => {
        throw new Error(
          `${String(e)} state=${connection.state} stats=${JSON.stringify(connection.stats())} log=${logger.lines.slice(-8).join(' | ')}`,
        );
      });
    };
    try {
      connection.start();
      await connection.whenReady(5_000);
      await waitFor(() => book.length > 0 || exchange.publish(venue.product, BOOK, 1) < 0, { message: 'the book stitched' });

      const frames = fc.sample(hostileFrame, { numRuns: FRAMES, seed: 20261129 });
      const kinds = kindsOf(frames);
      const expectedMalformed = frames.filter((f) =>
        certainlyMalformed(f, { maxBytes: VENUE_MAX_BYTES, maxDepth: VENUE_MAX_DEPTH }, binanceCertain),
      ).length;
      const malformedBefore = connection.stats().malformedFrames;
      const heap = new HeapPeak();

      for (let i = 0; i < frames.length; i += 100) {
        for (const f of frames.slice(i, i + 100)) exchange.sendRaw(f.data, { binary: f.binary });
        // The venue's own book keeps moving between the junk, and a valid trade follows each batch:
        // ws keeps order, so seeing it means the batch was processed.
        exchange.publish(venue.product, BOOK, 2);
        await marker(i);
        heap.sample();
      }

      if (process.env.FAULT_MATRIX_NOTES === '1')
        console.log(
          JSON.stringify({
            kinds: Object.fromEntries(kinds),
            expectedMalformed,
            malformed: connection.stats().malformedByReason,
            gaps: connection.stats().gaps,
            bookMessages: book.length,
            heapGrowthMiB: Math.round(heap.growthBytes / 1048576),
          }),
        );
      const stats = connection.stats();
      expect(connection.state).toBe('ready');
      expect(stats.reconnects).toBe(0);
      expect(exchange.counters.connections).toBe(1);
      expect(events.filter((e) => e.type === 'rotation')).toEqual([]);
      // Every junk frame is counted, once, and nothing else is: each frame the client could not use
      // for anything (none of the fuzz's frames can answer a request in flight) is counted under
      // some reason, and frames that could be the venue's data are not.
      expect(stats.malformedFrames - malformedBefore).toBe(expectedMalformed);
      expect(stats.malformedByReason['too-deep']).toBeGreaterThan(0);
      expect(stats.malformedByReason['too-large']).toBeGreaterThan(0);
      expect(stats.malformedByReason['wrong-shape']).toBeGreaterThan(0);
      expect(stats.malformedByReason['unknown-id']).toBeGreaterThan(0);
      expect(streamErrors).toEqual([]);
      expect(tooDeepDelivered).toBe(0);
      expect(notAnObjectDelivered).toBe(0);
      expect(bookBreaks).toEqual([]);
      expect(frameFaultLines(logger.lines)).toEqual([]);
      expect(junkLogLines(logger.lines)).toBeLessThanOrEqual(Math.ceil(FRAMES / 100) + 2);
      expect(heap.growthBytes).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
      expect([...kinds.keys()].sort()).toEqual(
        [
          'binary',
          'deep-data',
          'deep-nesting',
          'deep-object',
          'depth-chaos',
          'error-no-id',
          'error-unknown-id',
          'foreign-user-data',
          'huge-array',
          'huge-number',
          'json',
          'near-max-payload',
          'notice-lookalike',
          'odd-market-event',
          'odd-unicode',
          'random-text',
          'stream-wrong-data',
          'truncated',
          'unknown-id',
        ].sort(),
      );

      // The book recovers from the chaos: a fresh stitched snapshot, then updates chained to it.
      const since = book.length;
      await waitFor(() => book.slice(since).some((m) => m.e === 'depthUpdate') || exchange.publish(venue.product, BOOK, 1) < 0, {
        message: 'book updates after the fuzz',
      });
      expect(bookBreaks).toEqual([]);

      // The real notice is not junk: the socket is rotated make-before-break, never dropped.
      exchange.sendRaw(JSON.stringify(combined('!serverShutdown', { e: 'serverShutdown', E: 1 })));
      // The new socket joins each channel on the venue's data, so the feeds keep moving meanwhile.
      await waitFor(
        () => {
          exchange.publish(venue.product, TRADES, 1);
          exchange.publish(venue.product, TICKER, 1);
          exchange.publish(venue.product, BOOK, 1);
          return connection.stats().rotations?.completed === 1;
        },
        { timeoutMs: 15_000, message: 'rotated on serverShutdown' },
      ).catch((e: unknown) => {
        throw new Error(
          `${String(e)} rotations=${JSON.stringify(connection.stats().rotations)} log=${logger.lines.slice(-6).join(' | ')}`,
        );
      });
      await marker(-1);
      expect(connection.stats()).toMatchObject({ state: 'ready', reconnects: 0 });
      expect(streamErrors).toEqual([]);
    } finally {
      await connection.close();
      for (const s of subs) s.unsubscribe();
      await exchange.stop();
    }
    await settleNoResourceGrowth(baseline, { timeoutMs: 3_000 });
  }, 120_000);
});

describe('Binance hostile frames at a live user data connection', () => {
  it('user data (WebSocket API): stays up, counts the junk, hands consumers only its own events', async () => {
    const baseline = resourceSnapshot();
    const exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
    const logger = captureLogger();
    const connection = new SupervisedConnection({
      name: 'binance-user-hostile',
      url: exchange.urls.wsApi,
      venue: new BinanceAdapter({
        market: 'user-data',
        restUrl: exchange.urls.rest,
        logger,
        frameLimits: { maxBytes: VENUE_MAX_BYTES },
      }),
      session: { credentials: { kind: 'client_credentials', clientId: 'test-key', clientSecret: 'test-secret' } },
      client: { heartbeat: false, maxPayload: MAX_PAYLOAD, requestTimeoutMs: 3_000, connectTimeoutMs: 1_000 },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      silenceTimeoutMs: 60_000,
      logger,
    });
    const markers = new Set<number>();
    const streamErrors: unknown[] = [];
    let junkDelivered = 0;
    const sub = connection.channel$(USER_DATA).subscribe({
      next: (event) => {
        const e = (event as { e?: unknown } | null)?.e;
        if (typeof event !== 'object' || event === null || Array.isArray(event) || typeof e !== 'string') junkDelivered += 1;
        if (valueDepth(event) + 1 > VENUE_MAX_DEPTH) junkDelivered += 1;
        const marker = (event as { marker?: unknown }).marker;
        if (typeof marker === 'number') markers.add(marker);
      },
      error: (e: unknown) => streamErrors.push(e),
    });
    try {
      connection.start();
      await connection.whenReady(5_000);
      await waitFor(() => (exchange.connections()[0]?.userDataSubscriptions.length ?? 0) === 1, {
        message: 'user data subscribed',
      });
      const subscriptionId = exchange.connections()[0]?.userDataSubscriptions[0] as number;
      const marker = async (n: number): Promise<void> => {
        exchange.sendRaw(JSON.stringify({ subscriptionId, event: { e: 'executionReport', E: n, marker: n } }));
        await waitFor(() => markers.has(n), { timeoutMs: 30_000, message: `marker ${n}` });
      };
      const userFrames: Array<fc.Arbitrary<HostileFrame>> = [
        // This subscription's id with an event that is no event: it must not reach a consumer.
        fc
          .oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 1 })))
          .map((event) => json('own-subscription-no-event')({ subscriptionId, event })),
        // Other subscriptions' events, and ids of the wrong type.
        fc
          .record({
            subscriptionId: fc.oneof(
              fc.integer().filter((id) => id !== subscriptionId),
              fc.string(),
              fc.constant(null),
            ),
            event: fc.oneof(
              fc.jsonValue({ maxDepth: 2 }),
              fc.record({ e: fc.constantFrom('executionReport', 'eventStreamTerminated', 'listenKeyExpired'), E: oddId }),
            ),
          })
          .map(json('foreign-user-data')),
        // Answers for ids never sent, already answered or of the wrong type, and errors that are no error object.
        fc
          .record({
            id: fc.oneof(fc.integer({ min: NEVER_SENT_ID, max: Number.MAX_SAFE_INTEGER }), fc.constant(ANSWERED_ID), fc.string()),
            status: fc.oneof(fc.constantFrom(200, 400, 401, 429), fc.jsonValue({ maxDepth: 1 })),
            result: fc.jsonValue({ maxDepth: 2 }),
          })
          .map(json('unknown-id')),
        fc
          .record({
            id: fc.constant(null),
            status: fc.constantFrom(401, 500),
            error: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          })
          .map(json('error-no-object')),
        fc
          .constantFrom(
            { event: { e: 'ServerShutdown' } },
            { event: 'serverShutdown' },
            { e: 'serverShutdown ' },
            { subscriptionId: -1, event: { e: 'serverShutdown' } },
            { e: 'listenKeyExpired', listenKey: 'x' },
          )
          .map(json('notice-lookalike')),
      ];
      const frames = fc
        .sample(
          fc.oneof(
            ...venueNeutralFrames({
              wrap: (data) => `{"subscriptionId":${subscriptionId},"event":${data}}`,
              padded: (padding) =>
                JSON.stringify({ subscriptionId: subscriptionId + 1, event: { e: 'executionReport', padding } }),
              truncated: ['{"subscriptionId":', '{"id":', '{"event":{"e":"serverShutdown"'],
              maxPayload: MAX_PAYLOAD,
              maxDepth: VENUE_MAX_DEPTH,
              neverSent: neverSentIds,
            }),
            ...userFrames,
          ),
          { numRuns: 1_200, seed: 20261129 },
        )
        // A frame that legitimately means something is no junk: an error answering nobody (the
        // session was revoked), a shutdown notice, the venue ending this subscription. Each has its own test.
        .filter((f) => !meansSomething(f, subscriptionId));
      const expectedMalformed = frames.filter((f) =>
        certainlyMalformed(f, { maxBytes: VENUE_MAX_BYTES, maxDepth: VENUE_MAX_DEPTH }, (v) =>
          userDataCertain(v, subscriptionId),
        ),
      ).length;
      const heap = new HeapPeak();
      for (let i = 0; i < frames.length; i += 100) {
        for (const f of frames.slice(i, i + 100)) exchange.sendRaw(f.data, { binary: f.binary });
        exchange.publishUserData('test-key', 1);
        await marker(i);
        heap.sample();
      }
      const stats = connection.stats();
      expect(connection.state).toBe('ready');
      expect(stats.reconnects).toBe(0);
      expect(exchange.counters.connections).toBe(1);
      expect(exchange.counters.userDataSubscriptions).toBe(1);
      expect(stats.malformedFrames).toBe(expectedMalformed);
      expect(stats.malformedByReason.unrouted).toBeGreaterThan(0);
      expect(junkDelivered).toBe(0);
      expect(streamErrors).toEqual([]);
      expect(frameFaultLines(logger.lines)).toEqual([]);
      expect(junkLogLines(logger.lines)).toBeLessThanOrEqual(Math.ceil(frames.length / 100) + 2);
      expect(heap.growthBytes).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
    } finally {
      await connection.close();
      sub.unsubscribe();
      await exchange.stop();
    }
    await settleNoResourceGrowth(baseline, { timeoutMs: 3_000 });
  }, 120_000);
});

/** A user data frame that is a real notice or answer, not junk (see the filter above). */
function meansSomething(frame: HostileFrame, subscriptionId: number): boolean {
  if (frame.binary) return false;
  let value: unknown;
  try {
    value = JSON.parse(frame.data as string);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const event = v.event as { e?: unknown } | null | undefined;
  if (typeof v.subscriptionId === 'number')
    return v.subscriptionId === subscriptionId && typeof event === 'object' && event?.e === 'eventStreamTerminated';
  if (typeof event === 'object' && event?.e === 'serverShutdown') return true;
  const answersNobody = !('id' in v) || v.id === null;
  return answersNobody && typeof v.error === 'object' && v.error !== null;
}

/** What the user data socket must count: answers nobody asked for, frames it can route nowhere. */
function userDataCertain(v: Record<string, unknown>, subscriptionId: number): boolean {
  if ('id' in v) return true;
  if (typeof v.subscriptionId === 'number') {
    const event = v.event;
    const type = typeof event === 'object' && event !== null ? (event as { e?: unknown }).e : undefined;
    return v.subscriptionId === subscriptionId && typeof type !== 'string';
  }
  return true;
}
