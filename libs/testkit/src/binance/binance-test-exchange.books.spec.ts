import { useVenueTestbed } from '../spec-support/venue-testbed.js';
import type { BinanceTestExchangeOptions } from './binance-options.js';
import { BinanceStreamClient } from './binance-test-clients.js';
import { BinanceTestExchange } from './binance-test-exchange.js';

type Level = [string, string];
interface DepthEvent {
  U: number;
  u: number;
  pu?: number;
  b: Level[];
  a: Level[];
}
interface Snapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

/** The documented way to keep a local book: snapshot, drop stale events, apply the rest. */
function applyEvents(
  snapshot: Snapshot,
  events: DepthEvent[],
): { bids: Map<string, string>; asks: Map<string, string>; updateId: number } {
  const book = { bids: new Map(snapshot.bids), asks: new Map(snapshot.asks), updateId: snapshot.lastUpdateId };
  for (const event of events) {
    if (event.u <= book.updateId) continue;
    if (event.U > book.updateId + 1) throw new Error(`gap: U ${event.U} after ${book.updateId}`);
    for (const [side, levels] of [
      [book.bids, event.b],
      [book.asks, event.a],
    ] as const) {
      for (const [price, qty] of levels) {
        if (Number(qty) === 0) side.delete(price);
        else side.set(price, qty);
      }
    }
    book.updateId = event.u;
  }
  return book;
}

describe('BinanceTestExchange books: diff streams and REST snapshots', () => {
  const testbed = useVenueTestbed(
    (o: BinanceTestExchangeOptions) => BinanceTestExchange.start(o),
    (): BinanceTestExchangeOptions => ({ feedIntervalMs: 0, incomingMessageLimit: false }),
  );
  const rest = async (path: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${testbed.exchange.urls.rest}${path}`);
    return { status: response.status, body: await response.json() };
  };

  it('spot: each event starts one past the previous u; buffer + snapshot + apply reproduces the book', async () => {
    const client = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/btcusdt@depth@100ms`));
    testbed.exchange.publish('spot', 'btcusdt@depth@100ms', 5);
    const { body: snapshot, status } = await rest('/api/v3/depth?symbol=BTCUSDT&limit=1000');
    expect(status).toBe(200);
    expect(snapshot).toEqual({ lastUpdateId: expect.any(Number), bids: expect.any(Array), asks: expect.any(Array) });
    testbed.exchange.publish('spot', 'btcusdt@depth@100ms', 5);
    const events = (await client.waitForEvents(10)) as unknown as DepthEvent[];
    expect(events[0]).toMatchObject({ e: 'depthUpdate', s: 'BTCUSDT' });
    events.slice(1).forEach((event, i) => expect(event.U).toBe((events[i]?.u ?? 0) + 1));
    const local = applyEvents(snapshot as Snapshot, events);
    const later = testbed.exchange.depthSnapshot('spot', 'BTCUSDT', 1000);
    expect(local.updateId).toBe(later.lastUpdateId);
    expect(local.bids).toEqual(new Map(later.bids));
    expect(local.asks).toEqual(new Map(later.asks));
    expect(testbed.exchange.counters.depthSnapshots).toBe(1);
  });

  it('two speeds of one book stay consistent with each other and with the snapshot', async () => {
    const fast = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/ethusdt@depth@100ms`));
    const slow = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/ethusdt@depth`));
    const start = testbed.exchange.depthSnapshot('spot', 'ETHUSDT', 5000);
    for (let i = 0; i < 4; i += 1) testbed.exchange.publish('spot', 'ethusdt@depth@100ms', 3);
    testbed.exchange.publish('spot', 'ethusdt@depth');
    const fastEvents = (await fast.waitForEvents(12)) as unknown as DepthEvent[];
    const [slowEvent] = (await slow.waitForEvents(1)) as unknown as DepthEvent[];
    expect(slowEvent?.U).toBe(start.lastUpdateId + 1);
    const viaFast = applyEvents(start, fastEvents);
    const viaSlow = applyEvents(start, slowEvent === undefined ? [] : [slowEvent]);
    const now = testbed.exchange.depthSnapshot('spot', 'ETHUSDT', 5000);
    expect(viaSlow.updateId).toBe(now.lastUpdateId);
    expect(viaSlow.bids).toEqual(new Map(now.bids));
    expect(viaFast.updateId).toBeLessThan(viaSlow.updateId);
  });

  it('USDⓈ-M: each event’s pu is the previous u; /fapi/v1/depth has lastUpdateId, E and T', async () => {
    const client = testbed.track(
      await BinanceStreamClient.connect(`${testbed.exchange.urls.usdmPublic}/stream?streams=btcusdt@depth@500ms`),
    );
    const { body } = await rest('/fapi/v1/depth?symbol=BTCUSDT&limit=50');
    expect(body).toEqual({
      lastUpdateId: expect.any(Number),
      E: expect.any(Number),
      T: expect.any(Number),
      bids: expect.any(Array),
      asks: expect.any(Array),
    });
    testbed.exchange.publish('usdm', 'btcusdt@depth@500ms', 4);
    const events = (await client.waitForEvents(4)) as unknown as DepthEvent[];
    expect(events[0]).toMatchObject({ e: 'depthUpdate', T: expect.any(Number), s: 'BTCUSDT' });
    const snapshot = body as Snapshot;
    expect(events[0]?.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
    expect(events[0]?.u).toBeGreaterThanOrEqual(snapshot.lastUpdateId);
    events.slice(1).forEach((event, i) => expect(event.pu).toBe(events[i]?.u));
  });

  it('injectBookGap loses one event: spot U jumps, futures pu names an event nobody got', async () => {
    const spot = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.spotStream}/btcusdt@depth`));
    const usdm = testbed.track(await BinanceStreamClient.connect(`${testbed.exchange.urls.usdmPublic}/ws/ethusdt@depth`));
    testbed.exchange.publish('spot', 'btcusdt@depth');
    testbed.exchange.publish('usdm', 'ethusdt@depth');
    testbed.exchange.injectBookGap('spot', 'btcusdt@depth');
    testbed.exchange.injectBookGap('usdm', 'ethusdt@depth');
    testbed.exchange.publish('spot', 'btcusdt@depth');
    testbed.exchange.publish('usdm', 'ethusdt@depth');
    const [s1, s2] = (await spot.waitForEvents(2)) as unknown as DepthEvent[];
    const [f1, f2] = (await usdm.waitForEvents(2)) as unknown as DepthEvent[];
    expect(s2?.U).toBeGreaterThan((s1?.u ?? 0) + 1);
    expect(f2?.pu).not.toBe(f1?.u);
    expect(f2?.pu).toBeGreaterThan(f1?.u ?? 0);
    expect(() => testbed.exchange.injectBookGap('spot', 'btcusdt@trade')).toThrow(RangeError);
  });

  it('REST errors use the venue’s codes; limits follow each product', async () => {
    expect(await rest('/api/v3/depth')).toEqual({
      status: 400,
      body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." },
    });
    expect(await rest('/api/v3/depth?symbol=DOGEUSDT')).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
    expect((await rest('/fapi/v1/depth?symbol=BTCUSDT&limit=7')).body).toMatchObject({ code: -1102 });
    const small = (await rest('/api/v3/depth?symbol=BTCUSDT&limit=3')).body as Snapshot;
    expect(small.bids).toHaveLength(3);
    expect((await rest('/api/v3/ticker')).status).toBe(404);
  });

  it('setRestRejection answers 429 / 418 / 5xx with the venue’s bodies until lifted', async () => {
    testbed.exchange.setRestRejection(429);
    const limited = await rest('/api/v3/depth?symbol=BTCUSDT');
    expect(limited).toEqual({
      status: 429,
      body: { code: -1003, msg: expect.stringMatching(/Too much request weight/), data: expect.any(Object) },
    });
    testbed.exchange.setRestRejection(503);
    expect((await rest('/api/v3/depth?symbol=BTCUSDT')).status).toBe(503);
    testbed.exchange.setRestRejection(null);
    expect((await rest('/api/v3/depth?symbol=BTCUSDT')).status).toBe(200);
  });

  it('setRestRejection sends the Retry-After it is given (none by default)', async () => {
    testbed.exchange.setRestRejection(429, 3);
    const limited = await fetch(`${testbed.exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    testbed.exchange.setRestRejection(418);
    const banned = await fetch(`${testbed.exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`);
    expect([banned.status, banned.headers.get('retry-after')]).toEqual([418, null]);
    expect(() => testbed.exchange.setRestRejection(429, -1)).toThrow(/retryAfterSeconds/);
  });

  it('banIp: REST answers 418 with a Retry-After counting down to the ban’s end, counted; lifted by time or null', async () => {
    let clock = 1_700_000_000_000;
    await testbed.restart({ feedIntervalMs: 0, incomingMessageLimit: false, now: () => clock });
    testbed.exchange.banIp(2_500);
    const first = await fetch(`${testbed.exchange.urls.rest}/api/v3/depth?symbol=BTCUSDT`);
    expect([first.status, first.headers.get('retry-after')]).toEqual([418, '3']);
    expect(await first.json()).toEqual({ code: -1003, msg: expect.stringContaining(`IP banned until ${clock + 2_500}`) });
    clock += 1_000;
    expect((await fetch(`${testbed.exchange.urls.rest}/fapi/v1/depth?symbol=BTCUSDT`)).headers.get('retry-after')).toBe('2');
    expect(testbed.exchange.counters.requestsWhileBanned).toBe(2);
    clock += 1_500;
    expect((await rest('/api/v3/depth?symbol=BTCUSDT')).status).toBe(200);
    testbed.exchange.banIp(60_000);
    testbed.exchange.banIp(null);
    expect((await rest('/api/v3/depth?symbol=BTCUSDT')).status).toBe(200);
    expect(testbed.exchange.counters.requestsWhileBanned).toBe(2);
    expect(() => testbed.exchange.banIp(0)).toThrow(/banIp/);
  });

  it('setResponseDelay delays REST answers too', async () => {
    testbed.exchange.setResponseDelay(120);
    const started = performance.now();
    expect((await rest('/api/v3/depth?symbol=BTCUSDT')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});
