import { config } from 'rxjs';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { waitFor } from '../support/wait-for.js';
import { HostileServer } from '../support/hostile-deribit-server.js';
import { type HostileApp, bootAppOver } from './hostile-venue.js';
import { useMarketDataApp } from './market-data-testbed.js';
import { metric } from './prometheus-text.js';
import { type StreamFrame, StreamTestClient } from './stream-test-client.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const ETH_TICKER = 'ticker.ETH-PERPETUAL.100ms';
const deribit = { connection: 'deribit' };
const dataOn =
  (channel: string) =>
  (f: StreamFrame): boolean =>
    f.type === 'data' && f.channel === channel;
const tick = (instrument: string, last: number) => ({
  instrument_name: instrument,
  timestamp: Date.now(),
  last_price: last,
  best_bid_price: last - 1,
  best_ask_price: last + 1,
});

/**
 * Every error RxJS could not hand to a subscriber lands here (in `main.ts` the app logs it). The app
 * must handle its streams' errors itself: a test fails if anything reaches this hook.
 */
const unhandled: unknown[] = [];
let previousHook: typeof config.onUnhandledError;
beforeAll(() => {
  previousHook = config.onUnhandledError;
  config.onUnhandledError = (error: unknown) => unhandled.push(error);
});
afterAll(() => {
  config.onUnhandledError = previousHook;
});

describe('hostile venue: nothing an exchange sends can crash or stall the app', () => {
  describe('over the test exchange', () => {
    const lines: string[] = [];
    const testbed = useMarketDataApp({
      exchange: { seed: 11, feedIntervalMs: 50 },
      app: (embedded) => ({
        // Bounds a loaded machine cannot trip: a rebuild mid-test would swallow the frames sent to the old session.
        connections: embeddedConnectionOptions(embedded.exchange.url, embedded.credentials, {
          heartbeatIntervalSec: 2,
          silenceTimeoutMs: 10_000,
        }),
        logger: ['fatal', 'error', 'warn', 'log'],
        logFormat: 'json',
        logWrite: (line) => lines.push(line),
      }),
    });

    it('a deeply nested notification on a channel an open status page watches is dropped and counted; the page keeps its ticks', async () => {
      // What the status page does when opened: status pushes, and the ticker.
      const page = await testbed.streamClient();
      page.send({ type: 'status' });
      page.send({ type: 'subscribe', channel: TICKER });
      await page.waitFrames(dataOn(TICKER), 2, 'ticks before');
      // The library may already refuse the frame (depth bound in its frame guard); either way the
      // app must neither crash nor forward it, and the frame is counted somewhere.
      const counted = async () =>
        (await metric(testbed.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'unserialisable' })) +
        (await metric(testbed.httpUrl, 'exchange_connection_malformed_frames_total', deribit));
      const before = await counted();
      // One at a time, each on a ready session and counted before the next.
      for (let i = 1; i <= 3; i += 1) {
        await testbed.connection.whenReady(10_000);
        testbed.exchange.sendMalformed('deep-nesting');
        await waitFor(async () => (await counted()) >= before + i, {
          timeoutMs: 10_000,
          message: `deep frame ${i} counted (dropped by the gateway or refused by the library)`,
        });
      }
      const seen = page.of('data').length;
      await page.waitFrames(dataOn(TICKER), seen + 3, 'ticks after the deep frames');
      expect(page.socket.readyState).toBe(page.socket.OPEN);
      expect((await fetch(`${testbed.httpUrl}/health`)).status).toBe(200);
      expect(unhandled).toEqual([]);
      // One line per cause per interval, not one per frame (and no stack trace).
      const dropLines = lines.filter((l) => l.includes('unserialisable'));
      expect(dropLines.length).toBeLessThanOrEqual(1);
      expect(lines.filter((l) => l.includes('Maximum call stack'))).toEqual([]);
    });
  });

  describe('over a venue that sends what the test exchange never would', () => {
    let venue: HostileServer;
    let app: HostileApp | undefined;
    const lines: string[] = [];
    const clients: StreamTestClient[] = [];
    const page = async (): Promise<StreamTestClient> => {
      const c = await StreamTestClient.connect(app!.streamUrl);
      clients.push(c);
      await c.waitFrames((f) => f.type === 'welcome');
      return c;
    };

    beforeAll(async () => {
      venue = await HostileServer.start();
      // The app's own ticker is left out of every subscribe result: CHANNEL_REFUSED.
      venue.refuse.add(TICKER);
      app = await bootAppOver(venue, { logWrite: (line) => lines.push(line) });
      await app.connection.whenReady(10_000);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });
    afterAll(async () => {
      await app?.app.close();
      await venue.close();
    });

    it('a refused channel is logged, reported on the status stream and retried; the app keeps serving, and recovers it', async () => {
      const c = await page();
      c.send({ type: 'status' });
      c.send({ type: 'subscribe', channel: TICKER });
      c.send({ type: 'subscribe', channel: ETH_TICKER });
      const refused = (f: StreamFrame) =>
        f.type === 'status' &&
        Array.isArray(f.channels) &&
        (f.channels as Array<Record<string, unknown>>).some(
          (ch) => ch.channel === TICKER && ch.state === 'refused' && ch.connection === 'deribit',
        );
      await c.waitFrames(refused, 1, 'the status stream to report the refused channel', 10_000);
      await c.waitFrames((f) => f.type === 'error' && f.code === 'channel_unavailable' && f.channel === TICKER, 1, 'notice');
      expect(lines.some((l) => l.includes(TICKER) && /refused/.test(l) && /retry/.test(l))).toBe(true);

      // Other channels are served meanwhile, and the app reports itself healthy (the connection is).
      await waitFor(() => venue.subscriptions.has(ETH_TICKER), { message: 'ETH ticker subscribed upstream' });
      void venue.notify(ETH_TICKER, tick('ETH-PERPETUAL', 3000));
      await c.waitFrames(dataOn(ETH_TICKER), 1, 'ETH ticks while BTC is refused');
      expect((await fetch(`${app!.httpUrl}/health`)).status).toBe(200);

      // The venue accepts it again on the next session: the app's retry brings it back.
      venue.refuse.clear();
      venue.terminateAll();
      await waitFor(() => venue.subscriptions.has(TICKER), { timeoutMs: 10_000, message: 'BTC ticker subscribed again' });
      await waitFor(
        () => {
          void venue.notify(TICKER, tick('BTC-PERPETUAL', 60_000));
          return c.of('data', TICKER).length > 0;
        },
        { timeoutMs: 10_000, intervalMs: 50, message: 'BTC ticks reach the page after recovery' },
      );
      const live = (f: StreamFrame) =>
        f.type === 'status' &&
        Array.isArray(f.channels) &&
        (f.channels as Array<Record<string, unknown>>).some((ch) => ch.channel === TICKER && ch.state === 'live');
      await c.waitFrames(live, 1, 'the status stream to report the channel live again', 10_000);
      expect(c.socket.readyState).toBe(c.socket.OPEN);
      expect(unhandled).toEqual([]);
    });

    it('a frame above the gateway size cap is dropped for every browser with a counted reason; the next one goes through', async () => {
      const a = await page();
      const b = await page();
      for (const c of [a, b]) c.send({ type: 'subscribe', channel: ETH_TICKER });
      await waitFor(() => venue.subscriptions.has(ETH_TICKER), { message: 'ETH ticker subscribed upstream' });
      await Promise.all([a, b].map((c) => c.waitFrames((f) => f.type === 'subscribed', 1, 'subscribed')));
      const before = await metric(app!.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'too_large' });
      // 2 MB: far above the gateway's 1 MiB cap, well within the library's own frame limit.
      const huge = { ...tick('ETH-PERPETUAL', 1), padding: 'x'.repeat(2_000_000) };
      for (let i = 0; i < 4; i += 1) void venue.notify(ETH_TICKER, huge);
      void venue.notify(ETH_TICKER, tick('ETH-PERPETUAL', 3001));
      for (const c of [a, b]) {
        const [frame] = await c.waitFrames(dataOn(ETH_TICKER), 1, 'the small frame after the huge ones');
        expect((frame?.data as { last_price: number }).last_price).toBe(3001);
      }
      expect(await metric(app!.httpUrl, 'market_data_stream_frames_dropped_total', { reason: 'too_large' })).toBe(before + 4);
      expect(lines.filter((l) => l.includes('too_large')).length).toBeLessThanOrEqual(1);
      expect(unhandled).toEqual([]);
    });
  });

  describe('status page text from a venue error', () => {
    it('control characters in a venue error never reach the status stream', async () => {
      const venue = await HostileServer.start();
      venue.respond('public/auth', () => ({
        error: { code: 10_000, message: 'bad\n2026-01-01 [Nest] LOG forged line \u001b[31mred\u001b[0m\u0007' },
      }));
      const lines: string[] = [];
      const app = await bootAppOver(venue, { logWrite: (line) => lines.push(line) });
      try {
        const c = await StreamTestClient.connect(app.streamUrl);
        c.send({ type: 'status' });
        const [frame] = await c.waitFrames(
          (f) =>
            f.type === 'status' &&
            Array.isArray(f.connections) &&
            typeof (f.connections as Array<{ reason?: unknown }>)[0]?.reason === 'string',
          1,
          'a status with the venue reason',
          10_000,
        );
        const reason = (frame!.connections as Array<{ reason: string }>)[0]!.reason;
        expect(reason).toContain('forged line');
        expect(reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        await c.close();
      } finally {
        await app.app.close();
        await venue.close();
      }
    });
  });
});
