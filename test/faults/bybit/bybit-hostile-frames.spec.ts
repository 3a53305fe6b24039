import {
  BYBIT_DEFAULTS,
  BybitAdapter,
  ShardedConnection,
  SupervisedConnection,
  noJitter,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import { BybitTestExchange } from '@exchange-connection/testkit';
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth } from '../../support/open-handles.js';
import { waitFor } from '../../support/wait-for.js';
import { captureLogger } from '../../supervisor/fixtures.js';
import {
  certainlyMalformed,
  json,
  kindsOf,
  valueDepth,
  venueNeutralFrames,
  type HostileFrame,
} from '../hostile-frame-arbitraries.js';
import { HEAP_GROWTH_LIMIT_BYTES, HeapPeak, frameFaultLines, junkLogLines } from '../hostile-run-watch.js';

/**
 * Thousands of random and hostile frames at a live Bybit linear connection, sent by the real test
 * exchange (`sendRaw`) between its own valid data: the connection stays up, counts the junk, never
 * hands a consumer a frame that failed validation or a broken book, and valid data keeps flowing.
 */

const TICKER = 'tickers.BTCUSDT';
const BOOK = 'orderbook.200.BTCUSDT';
const TRADES = 'publicTrade.ETHUSDT';
const MAX_PAYLOAD = 64 * 1024;
/** The venue's soft cap (frameLimits.maxBytes), below the client's hard maxPayload. */
const VENUE_MAX_BYTES = 48 * 1024;
/** Bybit's default nesting bound. */
const VENUE_MAX_DEPTH = BYBIT_DEFAULTS.frameLimits.maxDepth;
/**
 * The args budget that splits the three topics over two sockets in the sharded run: ticker and
 * trades fit (1 + 18 + 22), the book (24) opens a second shard.
 */
const TWO_SHARDS_ARGS_CHARS = 64;

interface Variant {
  name: string;
  frames: number;
  shards: number;
  make(options: SupervisedConnectionOptions): SupervisedConnection | ShardedConnection;
}

const VARIANTS: Variant[] = [
  { name: 'one socket (SupervisedConnection)', frames: 2_500, shards: 1, make: (o) => new SupervisedConnection(o) },
  // What a Nest app runs: junk goes to both sockets, each counts its own, stats add them up.
  { name: 'two shards (ShardedConnection)', frames: 1_000, shards: 2, make: (o) => new ShardedConnection(o) },
];
/**
 * Ops the connection sends during the run (a book resync subscribes and unsubscribes). An answer
 * naming one of them and echoing no id is matched by op, as Bybit's private acks must be: it is
 * indistinguishable from the venue's own answer, so the fuzz sends those ops only with an id.
 */
const SENT_OPS = ['subscribe', 'unsubscribe'];

const topicish = fc.oneof(
  fc.constantFrom(TICKER, BOOK, TRADES, 'orderbook.50.XYZUSDT', 'tickers.NOPE', 'orderbook.1.BTCUSDT', '', '__proto__', 'order'),
  fc.string({ maxLength: 30 }),
);
/** What `u`, `seq` or `ts` can be when it is not a safe integer in order. */
const oddId = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1_000, max: 1 }),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e300, -0, 0, 1),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('NaN', 'Infinity', '1', null, true, [], {}),
);
const levels = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('100.0', '99.5'), fc.constantFrom('1.0', '0')), { maxLength: 3 }),
  fc.constantFrom('x', 1, null, [1], [null], [{}], ['ab'], [[1, 2]]),
);
const reqId = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => s.length > 0),
  fc.constantFrom('deadbeef-1', '00000000-1', 'x-1'),
  fc.integer(),
  fc.constantFrom(true, {}, [], 0),
);

const bybitFrames: Array<fc.Arbitrary<HostileFrame>> = [
  // Topic messages whose data is no object or array: no Bybit message.
  fc
    .record({
      topic: topicish,
      type: fc.constantFrom('snapshot', 'delta'),
      ts: oddId,
      data: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
    })
    .map(json('topic-wrong-data')),
  // Book messages with type, u, seq and ts of the wrong type, negative, huge, missing, out of order.
  fc
    .record(
      {
        topic: fc.constant(BOOK),
        type: fc.oneof(fc.constantFrom('snapshot', 'delta', 'Snapshot', 'partial', ''), fc.integer(), fc.constant(null)),
        ts: oddId,
        cts: oddId,
        data: fc.record(
          { s: fc.constantFrom('BTCUSDT', '', 42), b: levels, a: levels, u: oddId, seq: oddId },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['topic', 'data'] },
    )
    .map(json('book-chaos')),
  // Snapshots and deltas of topics nobody subscribed, and odd ticker and trade fields.
  fc
    .record({
      topic: topicish,
      type: fc.oneof(fc.constantFrom('snapshot', 'delta'), fc.string({ maxLength: 8 })),
      ts: oddId,
      data: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
        fc.array(fc.jsonValue({ maxDepth: 2 })),
      ),
    })
    .map(json('odd-topic')),
  // Op answers with odd req_id, success, ret_msg and conn_id (stream acks) or retCode (order entry).
  fc
    .record(
      {
        success: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)),
        ret_msg: fc.jsonValue({ maxDepth: 1 }),
        conn_id: fc.jsonValue({ maxDepth: 1 }),
        req_id: reqId,
        op: fc.oneof(
          fc.constantFrom('subscribe', 'unsubscribe', 'auth', 'ping', 'pong', 'order.create', ''),
          fc.string({ maxLength: 10 }),
        ),
        args: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ['op', 'req_id'] },
    )
    .map(json('op-answer')),
  fc
    .record({
      reqId,
      retCode: fc.oneof(fc.constantFrom(0, 10001, 10003, 10006, 10016, 20006), fc.integer(), fc.string()),
      retMsg: fc.jsonValue({ maxDepth: 1 }),
      op: fc.constantFrom('subscribe', 'order.create', 'auth'),
      data: fc.jsonValue({ maxDepth: 2 }),
    })
    .map(json('trade-answer')),
  // Answers echoing no id, for ops this connection never has in flight (pings are 5 minutes apart).
  fc
    .record({
      success: fc.boolean(),
      ret_msg: fc.constantFrom('', 'pong', 'error:handler not found,code:10001', 'code:10016'),
      op: fc.oneof(fc.constantFrom('ping', 'pong', 'auth', 'order.create'), fc.string({ maxLength: 10 })),
    })
    .filter((a) => !SENT_OPS.includes(a.op))
    .map(json('op-answer-no-id')),
];

const hostileFrame = fc.oneof(
  ...venueNeutralFrames({
    wrap: (data) => `{"topic":"${TICKER}","type":"snapshot","ts":1,"data":${data}}`,
    // A topic nobody subscribed: nothing for a consumer either way.
    padded: (padding) =>
      JSON.stringify({ topic: 'tickers.ETHUSDT', type: 'snapshot', ts: 1, data: { symbol: 'ETHUSDT', padding } }),
    truncated: ['{"topic":', `{"topic":"${BOOK}","type":"delta","data":{"u":`, '{"success":true,"op":', '{"op":"pong","args":['],
    maxPayload: MAX_PAYLOAD,
    maxDepth: VENUE_MAX_DEPTH,
  }),
  ...bybitFrames,
);

/**
 * Bybit's own certainly-malformed frames: topic data that is no object; and every frame without a
 * topic, since none the fuzz sends can answer a request in flight (an answer to nobody is an
 * unknown id, a frame with neither topic nor op is unrouted).
 */
function bybitCertain(value: Record<string, unknown>): boolean {
  if (typeof value.topic === 'string') return typeof value.data !== 'object' || value.data === null;
  return true;
}

interface BookMessage {
  type?: unknown;
  u?: unknown;
}

/** Every way a delivered book message could be broken, as a consumer applying it would see it. */
function bookBreak(message: BookMessage, last: BookMessage | undefined): string | undefined {
  if (message.type !== 'snapshot' && message.type !== 'delta') return `type ${String(message.type)}`;
  if (typeof message.u !== 'number' || !Number.isSafeInteger(message.u) || message.u < 1) return `u ${String(message.u)}`;
  if (message.type === 'snapshot') return undefined;
  if (last === undefined) return 'a delta before any snapshot';
  if (message.u !== (last.u as number) + 1) return `u ${message.u} after ${String(last.u)}`;
  return undefined;
}

describe.each(VARIANTS)(
  'Bybit hostile frames: thousands of random and hostile frames at a live linear connection, $name',
  (variant) => {
    const FRAMES = variant.frames;
    it('stays up, counts the junk, never delivers junk or a broken book, keeps delivering valid data', async () => {
      const baseline = resourceSnapshot();
      const exchange = await BybitTestExchange.start({ feedIntervalMs: 0, level1ResnapshotMs: 0 });
      const logger = captureLogger();
      const connection = variant.make({
        name: 'bybit-hostile',
        url: exchange.url('linear'),
        venue: new BybitAdapter({
          market: 'linear',
          logger,
          frameLimits: { maxBytes: VENUE_MAX_BYTES },
          ...(variant.shards > 1 ? { maxArgsChars: TWO_SHARDS_ARGS_CHARS } : {}),
        }),
        session: { heartbeatIntervalSec: 300 },
        client: { heartbeat: false, maxPayload: MAX_PAYLOAD, requestTimeoutMs: 3_000, connectTimeoutMs: 1_000 },
        rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
        silenceTimeoutMs: 60_000,
        logger,
      });
      const markers = new Set<number>();
      const book: BookMessage[] = [];
      const bookBreaks: string[] = [];
      const streamErrors: unknown[] = [];
      let tooDeepDelivered = 0;
      let foreignTopicDelivered = 0;
      const watch = (channel: string, next: (data: Record<string, unknown>) => void): Subscription =>
        connection.channel$(channel).subscribe({
          next: (data) => {
            // Bybit hands on the whole message: its depth is the frame's.
            if (valueDepth(data) > VENUE_MAX_DEPTH) tooDeepDelivered += 1;
            const message = data as Record<string, unknown>;
            if (message.topic !== channel) foreignTopicDelivered += 1;
            next(message);
          },
          error: (e: unknown) => streamErrors.push(e),
        });
      const subs: Subscription[] = [
        watch(TICKER, (message) => {
          const marker = (message.data as { marker?: unknown } | undefined)?.marker;
          if (typeof marker === 'number') markers.add(marker);
        }),
        watch(TRADES, () => undefined),
        watch(BOOK, (message) => {
          const data = message.data as { u?: unknown } | undefined;
          const entry = { type: message.type, u: data?.u };
          const broken = bookBreak(entry, book.at(-1));
          if (broken !== undefined) bookBreaks.push(broken);
          book.push(entry);
        }),
      ];
      const marker = async (n: number): Promise<void> => {
        exchange.sendRaw(JSON.stringify({ topic: TICKER, type: 'snapshot', ts: n, data: { symbol: 'BTCUSDT', marker: n } }));
        await waitFor(() => markers.has(n), { timeoutMs: 30_000, message: `marker ${n}` }).catch((e: unknown) => {
          throw new Error(
            `${String(e)} state=${connection.state} stats=${JSON.stringify(connection.stats())} log=${logger.lines.slice(-8).join(' | ')}`,
          );
        });
      };
      try {
        connection.start();
        await connection.whenReady(5_000);
        await waitFor(() => book.length > 0, { message: 'the book snapshot' });
        expect(exchange.counters.connections).toBe(variant.shards);

        const frames = fc.sample(hostileFrame, { numRuns: FRAMES, seed: 20261129 });
        const kinds = kindsOf(frames);
        // sendRaw writes every frame to every socket: each shard counts its own copy.
        const expectedMalformed =
          variant.shards *
          frames.filter((f) => certainlyMalformed(f, { maxBytes: VENUE_MAX_BYTES, maxDepth: VENUE_MAX_DEPTH }, bybitCertain))
            .length;
        const malformedBefore = connection.stats().malformedFrames;
        const heap = new HeapPeak();

        for (let i = 0; i < frames.length; i += 100) {
          for (const f of frames.slice(i, i + 100)) exchange.sendRaw(f.data, { binary: f.binary });
          // The venue's own book keeps moving between the junk, and a valid ticker follows each
          // batch: ws keeps order, so seeing it means the batch was processed.
          exchange.publish('linear', BOOK, 2);
          exchange.publish('linear', TRADES, 1);
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
        // The markers ride the ticker's socket; with two shards the book's socket may still be
        // reading its copy of the last batch (a busy machine): let it catch up before counting.
        await waitFor(() => connection.stats().malformedFrames - malformedBefore >= expectedMalformed, {
          timeoutMs: 10_000,
        }).catch(() => undefined);
        const stats = connection.stats();
        expect(connection.state).toBe('ready');
        expect(stats.reconnects).toBe(0);
        expect(exchange.counters.connections).toBe(variant.shards);
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
        expect(foreignTopicDelivered).toBe(0);
        expect(bookBreaks).toEqual([]);
        expect(frameFaultLines(logger.lines)).toEqual([]);
        // Per socket: the client's reasons and the supervisor's unrouted each log the first and every 100th.
        expect(junkLogLines(logger.lines)).toBeLessThanOrEqual(variant.shards * (Math.ceil(FRAMES / 100) + 2));
        expect(heap.growthBytes).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
        expect([...kinds.keys()].sort()).toEqual(
          [
            'binary',
            'book-chaos',
            'deep-data',
            'deep-nesting',
            'deep-object',
            'huge-array',
            'huge-number',
            'json',
            'near-max-payload',
            'odd-topic',
            'odd-unicode',
            'op-answer',
            'op-answer-no-id',
            'random-text',
            'topic-wrong-data',
            'trade-answer',
            'truncated',
          ].sort(),
        );

        // The book recovers from the chaos: a snapshot, then deltas chained to it.
        const since = book.length;
        await waitFor(() => book.slice(since).some((m) => m.type === 'delta') || exchange.publish('linear', BOOK, 1) < 0, {
          message: 'book deltas after the fuzz',
        });
        expect(bookBreaks).toEqual([]);

        // Invalid UTF-8 in a text frame is a WebSocket protocol error (RFC 6455 §8.1: the client must
        // fail the connection, ws closes 1007): the one frame that costs a socket. One rebuild,
        // everything restored, and data flows again.
        exchange.sendRaw(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
        await waitFor(() => connection.stats().reconnects === variant.shards && connection.state === 'ready', {
          message: 'one rebuild per socket after invalid UTF-8',
        });
        await marker(-1);
        expect(exchange.counters.connections).toBe(2 * variant.shards);
        expect(streamErrors).toEqual([]);
      } finally {
        await connection.close();
        for (const s of subs) s.unsubscribe();
        await exchange.stop();
      }
      await settleNoResourceGrowth(baseline, { timeoutMs: 3_000 });
    }, 120_000);
  },
);
