import { DERIBIT_DEFAULTS, DeribitAdapter, SupervisedConnection, noJitter } from '@exchange-connection/core';
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import { captureLogger } from '../supervisor/fixtures.js';
import { HostileServer } from '../support/hostile-deribit-server.js';
import {
  NEVER_SENT_ID,
  certainlyMalformed,
  json,
  kindsOf,
  neverSentIds,
  valueDepth,
  venueNeutralFrames,
  type HostileFrame,
} from './hostile-frame-arbitraries.js';
import { HEAP_GROWTH_LIMIT_BYTES, HeapPeak, frameFaultLines, junkLogLines } from './hostile-run-watch.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const BOOK = 'book.BTC-PERPETUAL.100ms';
const PRIVATE = 'user.orders.BTC-PERPETUAL.raw';
const MAX_PAYLOAD = 64 * 1024;
/** The venue's soft cap (frameLimits.maxBytes), below the client's hard maxPayload. */
const VENUE_MAX_BYTES = 48 * 1024;
/** The default nesting bound, which Deribit adapters take. */
const VENUE_MAX_DEPTH = DERIBIT_DEFAULTS.frameLimits.maxDepth;
const FRAMES = 4_000;

const channelish = fc.oneof(
  fc.constantFrom(TICKER, BOOK, PRIVATE, '', '__proto__', 'constructor', 'user.', 'book.BTC-PERPETUAL'),
  fc.string(),
  fc.integer(),
  fc.constant(null),
);

const hostileFrame: fc.Arbitrary<HostileFrame> = fc.oneof(
  // What every venue must survive: bad JSON, any JSON value (ids moved out of the client's range),
  // binary, huge arrays, deep nesting, data too deep, frames near maxPayload, odd numbers and text.
  ...venueNeutralFrames({
    wrap: (data) => `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"${TICKER}","data":${data}}}`,
    padded: (padding) =>
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'subscription',
        params: { channel: 'ticker.ETH-PERPETUAL.100ms', data: { padding } },
      }),
    truncated: ['{"jsonrpc":"2.0",', '{"method":'],
    maxPayload: MAX_PAYLOAD,
    maxDepth: VENUE_MAX_DEPTH,
    neverSent: neverSentIds,
  }),
  // responses and errors for ids never sent, and ids of the wrong type
  fc
    .record({
      id: fc.oneof(
        fc.integer({ min: NEVER_SENT_ID, max: Number.MAX_SAFE_INTEGER }),
        fc.double(),
        fc.string(),
        fc.boolean(),
        fc.constant(-1),
      ),
      result: fc.jsonValue({ maxDepth: 3 }),
    })
    .map((r) => json('unknown-id')({ jsonrpc: '2.0', ...r })),
  fc
    .record({
      id: fc.integer({ min: NEVER_SENT_ID, max: Number.MAX_SAFE_INTEGER }),
      error: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ code: fc.oneof(fc.integer(), fc.string()), message: fc.jsonValue({ maxDepth: 1 }) }),
      ),
    })
    .map((r) => json('error-unknown-id')({ jsonrpc: '2.0', ...r })),
  // notifications with missing, odd or hostile params
  fc
    .record({
      method: fc.oneof(fc.constantFrom('subscription', 'heartbeat', ''), fc.string({ maxLength: 20 })),
      params: fc.oneof(
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ channel: channelish, data: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }),
        fc.record({ type: fc.oneof(fc.constantFrom('heartbeat', 'test_request'), fc.string()) }),
      ),
    })
    .map((n) => json('odd-notification')({ jsonrpc: '2.0', ...n })),
  // book messages that break the change chain (each forces a resync, never a corrupt book)
  fc
    .record({
      change_id: fc.oneof(fc.integer(), fc.double(), fc.string()),
      prev_change_id: fc.oneof(fc.integer(), fc.constant(undefined), fc.string()),
    })
    .map((data) =>
      json('book-chaos')({
        jsonrpc: '2.0',
        method: 'subscription',
        params: { channel: BOOK, data: { type: 'change', ...data } },
      }),
    ),
);

/**
 * Deribit's own certainly-malformed frames: an answer to an id it never sent, and every frame that
 * is neither a heartbeat nor a subscription notification naming its channel (a wrong shape, or
 * unrouted).
 */
function deribitCertain(value: Record<string, unknown>): boolean {
  if (value.id !== undefined && value.id !== null) return true;
  const params = value.params;
  const paramsObject = typeof params === 'object' && params !== null && !Array.isArray(params);
  if (value.method === 'heartbeat') return params !== undefined && !paramsObject;
  if (value.method === 'subscription') return !paramsObject || typeof (params as { channel?: unknown }).channel !== 'string';
  return true;
}

describe('hostile frames: thousands of random and hostile frames at a live SupervisedConnection', () => {
  it('stays up, counts the junk, keeps memory bounded and keeps delivering valid data', async () => {
    const baseline = resourceSnapshot();
    const server = await HostileServer.start();
    const logger = captureLogger();
    const connection = new SupervisedConnection({
      name: 'hostile',
      url: server.url,
      venue: new DeribitAdapter({ logger, frameLimits: { maxBytes: VENUE_MAX_BYTES } }),
      session: { credentials: { kind: 'client_credentials', clientId: 'hostile-id', clientSecret: 'hostile-secret' } },
      client: { heartbeat: false, maxPayload: MAX_PAYLOAD, requestTimeoutMs: 2_000, connectTimeoutMs: 1_000 },
      rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      silenceTimeoutMs: 60_000,
      logger,
    });
    const received = new Map<string, unknown[]>();
    const streamErrors: unknown[] = [];
    /** Data nested past the venue's bound that reached a consumer: must stay 0. */
    let tooDeepDelivered = 0;
    const subs: Subscription[] = [TICKER, BOOK, PRIVATE].map((channel) =>
      connection.channel$(channel).subscribe({
        next: (data) => {
          // The envelope and params are the two levels above data.
          if (valueDepth(data) + 2 > VENUE_MAX_DEPTH) tooDeepDelivered += 1;
          const list = received.get(channel) ?? [];
          // Keep only markers: holding every junk payload would measure the test, not the client.
          if (typeof data === 'object' && data !== null && 'marker' in data) list.push(data);
          received.set(channel, list);
        },
        error: (e: unknown) => streamErrors.push(e),
      }),
    );
    const markerSeen = (channel: string, marker: number) =>
      (received.get(channel) ?? []).some((d) => (d as { marker?: number }).marker === marker);
    try {
      connection.start();
      await connection.whenReady(5_000);
      await waitFor(() => server.subscriptions.size === 3, { message: 'three channels subscribed' });

      const frames = fc.sample(hostileFrame, { numRuns: FRAMES, seed: 20240611 });
      const kinds = kindsOf(frames);
      const expectedMalformed = frames.filter((f) =>
        certainlyMalformed(f, { maxBytes: VENUE_MAX_BYTES, maxDepth: VENUE_MAX_DEPTH }, deribitCertain),
      ).length;
      const malformedBefore = connection.stats().malformedFrames;
      const heap = new HeapPeak();

      for (let i = 0; i < frames.length; i += 200) {
        await Promise.all(frames.slice(i, i + 200).map((f) => server.send(f.data, f.binary)));
        // A valid message after each batch: ws keeps order, so seeing it means the batch was processed.
        await server.notify(TICKER, { marker: i, timestamp: i, instrument_name: 'BTC-PERPETUAL' });
        await waitFor(() => markerSeen(TICKER, i), { timeoutMs: 30_000, message: `marker ${i}` }).catch((e: unknown) => {
          throw new Error(
            `${String(e)} state=${connection.state} stats=${JSON.stringify(connection.stats())} errors=${String(streamErrors)} log=${logger.lines.slice(-8).join(' | ')}`,
          );
        });
        heap.sample();
      }

      if (process.env.FAULT_MATRIX_NOTES === '1')
        console.log(
          JSON.stringify({
            kinds: Object.fromEntries(kinds),
            expectedMalformed,
            malformed: connection.stats().malformedFrames - malformedBefore,
            gaps: connection.stats().gaps,
            heapGrowthMiB: Math.round(heap.growthBytes / 1048576),
            requests: server.requests,
          }),
        );
      // The process is up (we are here), the session too: no frame below maxPayload rebuilt it.
      expect(connection.state).toBe('ready');
      const stats = connection.stats();
      expect(stats.reconnects).toBe(0);
      expect(server.connections).toBe(1);
      // Every junk frame is counted, once, and nothing else is: each frame the client could not use
      // for anything (none of the fuzz's frames can answer a request in flight) is counted under
      // some reason, and frames that could be the venue's data are not.
      expect(stats.malformedFrames - malformedBefore).toBe(expectedMalformed);
      expect(stats.inFlight).toBeLessThanOrEqual(2);
      expect(streamErrors).toEqual([]);
      expect(tooDeepDelivered).toBe(0);
      expect(stats.malformedByReason['too-deep']).toBeGreaterThan(0);
      expect(stats.malformedByReason['too-large']).toBeGreaterThan(0);
      expect(heap.growthBytes).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
      expect(frameFaultLines(logger.lines)).toEqual([]);
      // Junk logging is rate-limited (first, then every 100th), never one line per frame.
      expect(junkLogLines(logger.lines)).toBeLessThanOrEqual(Math.ceil(FRAMES / 100) + 2);
      expect([...kinds.keys()].sort()).toEqual(
        [
          'binary',
          'book-chaos',
          'deep-data',
          'deep-nesting',
          'deep-object',
          'error-unknown-id',
          'huge-array',
          'huge-number',
          'json',
          'near-max-payload',
          'odd-notification',
          'odd-unicode',
          'random-text',
          'truncated',
          'unknown-id',
        ].sort(),
      );

      // Valid data still flows on every channel; the book recovers from the chaos with a snapshot.
      await waitFor(() => server.subscriptions.has(BOOK), { message: 'book subscribed after resyncs' });
      await server.notify(BOOK, { marker: 1, type: 'snapshot', change_id: 10, bids: [], asks: [] });
      await server.notify(BOOK, { marker: 2, type: 'change', change_id: 11, prev_change_id: 10, bids: [], asks: [] });
      await server.notify(PRIVATE, { marker: 3, order_id: 'x', order_state: 'open' });
      await waitFor(() => markerSeen(BOOK, 2) && markerSeen(PRIVATE, 3), {
        message: 'valid book and private data after the fuzz',
      });

      // One frame between the venue's cap and maxPayload: dropped and counted, the socket lives on.
      const tooLargeBefore = connection.stats().malformedByReason['too-large'] ?? 0;
      await server.send('x'.repeat(VENUE_MAX_BYTES + 1));
      await server.notify(TICKER, { marker: -2, timestamp: -2, instrument_name: 'BTC-PERPETUAL' });
      await waitFor(() => markerSeen(TICKER, -2), { message: 'data after a frame above the venue cap' });
      expect(connection.stats()).toMatchObject({ reconnects: 0 });
      expect(connection.stats().malformedByReason['too-large']).toBe(tooLargeBefore + 1);

      // One frame above maxPayload: the client drops that socket (1009) and exactly one rebuild follows.
      await server.send('x'.repeat(MAX_PAYLOAD + 1));
      await waitFor(() => connection.stats().reconnects === 1 && connection.state === 'ready', {
        message: 'one rebuild after an oversized frame',
      });
      expect(connection.stats().lastError?.code).toBe('PAYLOAD_TOO_LARGE');
      await waitFor(() => server.subscriptions.size === 3 && server.openSockets === 1, { message: 'restored on the new socket' });
      await server.notify(TICKER, { marker: -1, timestamp: -1, instrument_name: 'BTC-PERPETUAL' });
      await waitFor(() => markerSeen(TICKER, -1), { message: 'data after the rebuild' });
      expect(server.connections).toBe(2);
    } finally {
      await connection.close();
      for (const s of subs) s.unsubscribe();
      await server.close();
    }
    await settleNoResourceGrowth(baseline, { timeoutMs: 3_000 });
    // CPU-bound (4,000 frames, some 30,000 levels deep): ~6 s alone, several times that on a
    // machine shared with other CPU-heavy work. Every wait inside is on a condition.
  }, 180_000);
});
