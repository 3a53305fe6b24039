import type { TestExchange } from '@exchange-connection/testkit';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import type { StreamLimits } from '../../apps/market-data/src/ticker/stream-limits.js';
import { waitFor } from '../support/wait-for.js';
import { HostileServer } from '../support/hostile-deribit-server.js';
import { type HostileApp, bootAppOver } from './hostile-venue.js';
import { useMarketDataApp } from './market-data-testbed.js';
import { metric } from './prometheus-text.js';
import { type StreamFrame, StreamTestClient } from './stream-test-client.js';

const ETH_TICKER = 'ticker.ETH-PERPETUAL.100ms';
const ETH_BOOK = 'book.ETH-PERPETUAL.100ms';
const BROWSERS = 60;
/** Each browser flaps a channel this many times: subscribe + unsubscribe every FLAP_EVERY_MS (8 msg/s, inside the gateway's 10/s). */
const FLAPS_EACH = 12;
const FLAP_EVERY_MS = 250;
/**
 * The venue's allowance for the account's connection, Deribit's subscribe allowance in shape
 * (a 10-call burst, ~3.3 calls/s): the test exchange answers 10028 above it, and counts it.
 */
const VENUE_LIMIT = { capacity: 10, refillPerSec: 3.3 };

const isUpstreamChange = (method: string): boolean => /^(public|private)\/(subscribe|unsubscribe)$/.test(method);

/**
 * Every browser, every FLAP_EVERY_MS, subscribes to an ETH channel and unsubscribes 5 ms later: each
 * one alone takes the channel's count 0 → 1 → 0. Starts are spread over one period.
 */
async function storm(clients: StreamTestClient[]): Promise<void> {
  const channels = [ETH_TICKER, ETH_BOOK];
  await Promise.all(
    clients.map(
      (client, index) =>
        new Promise<void>((resolve) => {
          let flaps = 0;
          const flap = () => {
            const channel = channels[(flaps + index) % channels.length];
            const id = flaps * 2;
            client.send({ type: 'subscribe', channel, id });
            // A separate frame a moment later (not coalesced with the subscribe into one read).
            setTimeout(() => client.send({ type: 'unsubscribe', channel, id: id + 1 }), 5);
            flaps += 1;
            if (flaps === FLAPS_EACH) {
              clearInterval(timer);
              resolve();
            }
          };
          let timer: NodeJS.Timeout | undefined;
          setTimeout(
            () => {
              flap();
              timer = setInterval(flap, FLAP_EVERY_MS);
            },
            (index * FLAP_EVERY_MS) / clients.length,
          );
        }),
    ),
  );
  // Every message answered (none rate limited, none refused): the storm was "legal" traffic.
  await Promise.all(
    clients.map((c) =>
      c.waitFrames(
        (f) => f.type === 'subscribed' || f.type === 'unsubscribed',
        FLAPS_EACH * 2,
        'every storm message answered',
        15_000,
      ),
    ),
  );
  for (const c of clients) expect(c.of('error')).toEqual([]);
}

/** Largest number of upstream channel changes the test exchange saw within any `windowMs`. */
function busiestWindow(exchange: TestExchange, since: number, windowMs: number): number {
  const times = exchange.requestLog.filter((r) => r.at >= since && isUpstreamChange(r.method)).map((r) => r.at);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= windowMs) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function upstreamCalls(exchange: TestExchange): number {
  return exchange.counters.subscribeCalls + exchange.counters.unsubscribeCalls;
}

describe('gateway abuse: browsers cannot drive the authenticated connection or the app memory', () => {
  describe.each<[string, Partial<StreamLimits>]>([
    ['with the default linger (flapping never reaches upstream)', {}],
    ['with no linger (only the per-connection rate limit stands between browsers and the venue)', { upstreamLingerMs: 0 }],
  ])('a 60-browser subscribe/unsubscribe storm, %s', (_name, stream) => {
    const testbed = useMarketDataApp({
      exchange: { seed: 21, feedIntervalMs: 100, rateLimit: VENUE_LIMIT },
      app: (embedded) => ({
        // A 5 s heartbeat: the exchange's rate limit counts every request, heartbeat answers included.
        connections: embeddedConnectionOptions(embedded.exchange.url, embedded.credentials, {
          heartbeatIntervalSec: 5,
          silenceTimeoutMs: 15_000,
        }),
        stream: { ...stream, maxClients: BROWSERS + 5 },
        logger: false,
      }),
    });

    it('stays within the venue allowance (no 10028), serves a steady subscriber, and settles upstream', async () => {
      const bystander = await testbed.streamClient();
      bystander.send({ type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms' });
      await bystander.waitFrames((f) => f.type === 'data', 2, 'bystander ticks');
      const clients = await Promise.all(Array.from({ length: BROWSERS }, () => testbed.streamClient()));
      const since = Date.now();
      const callsBefore = upstreamCalls(testbed.exchange);
      const limitedBefore = testbed.exchange.counters.rateLimited;

      await storm(clients);
      const seconds = (Date.now() - since) / 1000;

      const calls = upstreamCalls(testbed.exchange) - callsBefore;
      expect(testbed.exchange.counters.rateLimited - limitedBefore).toBe(0);
      expect(calls).toBeLessThanOrEqual(VENUE_LIMIT.capacity + VENUE_LIMIT.refillPerSec * seconds);
      // Any one second: at most the burst plus a second's refill.
      expect(busiestWindow(testbed.exchange, since, 1_000)).toBeLessThanOrEqual(VENUE_LIMIT.capacity + VENUE_LIMIT.refillPerSec);
      if (stream.upstreamLingerMs === undefined) {
        // Two channels in play: at most one subscribe each, and nothing unsubscribed while lingering.
        expect(calls).toBeLessThanOrEqual(2);
      }
      const seen = bystander.of('data').length;
      await bystander.waitFrames((f) => f.type === 'data', seen + 3, 'bystander still served');

      // Everyone left: the ETH channels leave upstream too (after any linger), by the same budget.
      if (stream.upstreamLingerMs === 0) {
        // (after a linger the same would happen 30 s later)
        await waitFor(() => testbed.exchange.connections()[0]?.subscriptions.every((c) => !c.includes('ETH-PERPETUAL')), {
          timeoutMs: 10_000,
          message: 'ETH channels unsubscribed upstream once no browser wants them',
        });
      }
      expect(testbed.exchange.counters.rateLimited - limitedBefore).toBe(0);
    });
  });

  describe('readers that do not read', () => {
    let venue: HostileServer;
    let app: HostileApp | undefined;
    const clients: StreamTestClient[] = [];
    const open = async (): Promise<StreamTestClient> => {
      const c = await StreamTestClient.connect(app!.streamUrl);
      clients.push(c);
      await c.waitFrames((f) => f.type === 'welcome');
      return c;
    };

    beforeAll(async () => {
      venue = await HostileServer.start();
      app = await bootAppOver(venue, {
        logger: false,
        stream: { maxBufferedBytes: 256 * 1024, maxFrameBytes: 256 * 1024, slowClientTimeoutMs: 500 },
      });
      await app.connection.whenReady(10_000);
    });
    afterAll(async () => {
      for (const c of clients) c.socket.terminate();
      await app?.app.close();
      await venue.close();
    });

    it('large frames to 30 readers: stalled readers miss frames, their status replies obey the bound too, and they are disconnected; readers that read get every frame', async () => {
      const readers = await Promise.all(Array.from({ length: 20 }, () => open()));
      const stalled = await Promise.all(Array.from({ length: 10 }, () => open()));
      for (const c of [...readers, ...stalled]) c.send({ type: 'subscribe', channel: ETH_TICKER });
      await waitFor(() => venue.subscriptions.has(ETH_TICKER), { message: 'ETH ticker subscribed upstream' });
      await Promise.all([...readers, ...stalled].map((c) => c.waitFrames((f) => f.type === 'subscribed', 1, 'subscribed')));
      // A stalled reader: its socket is not read, so the kernel's buffers fill, then the gateway's.
      for (const c of stalled) c.socket.pause();
      const droppedBefore = await metric(app!.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'slow_client' });
      const FRAMES = 60;
      const isFrame = (f: StreamFrame) => f.type === 'data' && f.channel === ETH_TICKER;
      const padding = 'x'.repeat(200_000);
      const statusAsks = setInterval(() => {
        // A stalled reader may still write: it asks for status replies it never reads (finding 7).
        for (const c of stalled) if (c.socket.readyState === c.socket.OPEN) c.send({ type: 'status', id: 's' });
      }, 100);
      try {
        // Paced by the readers that read (each frame reaches them before the next is sent), so only
        // the stalled ones fall behind.
        for (let i = 0; i < FRAMES; i += 1) {
          void venue.notify(ETH_TICKER, { instrument_name: 'ETH-PERPETUAL', seq: i, padding });
          await Promise.all(readers.map((c) => c.waitFrames(isFrame, i + 1, `frame ${i} for a reader that reads`, 15_000)));
        }
        await waitFor(
          async () => (await metric(app!.httpUrl, 'market_data_stream_disconnects_total', { reason: 'slow_client' })) === 10,
          { timeoutMs: 15_000, message: 'the 10 stalled readers disconnected' },
        );
      } finally {
        clearInterval(statusAsks);
      }
      expect(await metric(app!.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'slow_client' })).toBeGreaterThan(
        droppedBefore,
      );
      for (const c of readers) {
        expect(c.of('data', ETH_TICKER).map((f) => (f.data as { seq: number }).seq)).toEqual(
          Array.from({ length: FRAMES }, (_, i) => i),
        );
      }
      expect(await metric(app!.httpUrl, 'market_data_stream_clients')).toBe(readers.length);
    }, 90_000); // 12 MB to 30 sockets, parsed by 20 in this process: slow beside a busy neighbour, bounded by its waits
  });

  describe('a client that never reads and only asks for status (finding 7)', () => {
    let venue: HostileServer;
    let app: HostileApp | undefined;
    let staller: StreamTestClient | undefined;

    beforeAll(async () => {
      venue = await HostileServer.start();
      app = await bootAppOver(venue, {
        logger: false,
        // A long timeout: this test watches the drops, the one above the disconnect.
        stream: { maxBufferedBytes: 256 * 1024, maxFrameBytes: 256 * 1024, slowClientTimeoutMs: 60_000, upstreamLingerMs: 0 },
      });
      await app.connection.whenReady(10_000);
    });
    afterAll(async () => {
      staller?.socket.terminate();
      await app?.app.close();
      await venue.close();
    });

    it('its status replies are dropped at the buffer bound like data frames, not queued without end', async () => {
      staller = await StreamTestClient.connect(app!.streamUrl);
      await staller.waitFrames((f) => f.type === 'welcome');
      staller.send({ type: 'subscribe', channel: ETH_TICKER });
      await staller.waitFrames((f) => f.type === 'subscribed', 1, 'subscribed');
      await waitFor(() => venue.subscriptions.has(ETH_TICKER), { message: 'ETH ticker subscribed upstream' });
      staller.socket.pause();
      // Fill its kernel buffers and then the gateway's queue, until the gateway starts dropping.
      const dropped = () => metric(app!.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'slow_client' });
      const padding = 'x'.repeat(200_000);
      await waitFor(
        async () => {
          void venue.notify(ETH_TICKER, { instrument_name: 'ETH-PERPETUAL', padding });
          return (await dropped()) > 0;
        },
        { timeoutMs: 20_000, intervalMs: 20, message: 'the gateway to drop frames for the stalled client' },
      );
      // No data for it any more: it leaves the channel (upstream follows at once, no linger).
      staller.send({ type: 'unsubscribe', channel: ETH_TICKER });
      await waitFor(() => !venue.subscriptions.has(ETH_TICKER), { message: 'the unsubscribe processed' });
      const before = await dropped();
      // Only status requests now: each reply is a frame the bound must refuse.
      for (let i = 0; i < 8; i += 1) staller.send({ type: 'status', id: i });
      await waitFor(async () => (await dropped()) >= before + 8, { message: 'the 8 status replies dropped' });
      expect(staller.socket.readyState).toBe(staller.socket.OPEN);
    });
  });
});
