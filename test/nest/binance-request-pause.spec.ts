import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConnectionSupervisorService } from '@exchange-connection/nestjs';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import type { Subscription } from 'rxjs';
import { waitFor } from '../support/wait-for.js';
import { connectionsFromEnv } from './nest-fixtures.js';

/** Each connection its own book, so that a gap makes exactly that connection fetch a snapshot. */
const BOOKS = { told: 'btcusdt@depth@100ms', shared: 'ethusdt@depth@100ms', own: 'btcusdt@depth' } as const;
type Name = keyof typeof BOOKS;

describe('Binance connections from the environment, and BINANCE_REQUEST_PAUSE', () => {
  let exchange: BinanceTestExchange;
  let app: TestingModule;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    exchange = await BinanceTestExchange.start({ port: 0, seed: 17, feedIntervalMs: 20 });
    // One REST origin, one limits domain (spot): only the variable tells the connections apart.
    const env: Record<string, string> = {};
    for (const name of ['TOLD', 'SHARED', 'OWN']) {
      env[`${name}_VENUE`] = 'binance';
      env[`${name}_URL`] = exchange.urls.spotCombined;
      env[`${name}_REST_URL`] = exchange.urls.rest;
    }
    env.OWN_REQUEST_PAUSE = 'private';
    app = await Test.createTestingModule({ imports: [connectionsFromEnv(env, Object.keys(BOOKS))] }).compile();
    await app.init();
  });

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await app?.close();
    await exchange?.stop();
  });

  it('a ban told to one connection holds the shared one; the private one still asks', async () => {
    const supervisor = app.get(ConnectionSupervisorService);
    for (const name of Object.keys(BOOKS) as Name[]) {
      subscriptions.push(supervisor.get(name).channel$<unknown>(BOOKS[name]).subscribe());
    }
    await waitFor(() => exchange.counters.depthSnapshots === 3, { message: 'three books stitched' });

    // Whole seconds: Retry-After carries seconds, and the connections wait this long, not a guess.
    exchange.banIp(2_000);
    const bannedAt = performance.now();
    exchange.injectBookGap('spot', BOOKS.told);
    await waitFor(() => exchange.counters.requestsWhileBanned === 1, { message: "'told' fetched its snapshot and got 418" });

    // Private: it has not heard of the ban, so its resync asks (the second request answered 418).
    exchange.injectBookGap('spot', BOOKS.own);
    await waitFor(() => exchange.counters.requestsWhileBanned === 2, { message: "'own' asked despite the ban told to 'told'" });

    // Shared (the default): its resync waits out the ban told to 'told' instead of knocking, then
    // fetches; every book is stitched again once the ban is over, and no third request came during it.
    exchange.injectBookGap('spot', BOOKS.shared);
    await waitFor(() => exchange.counters.depthSnapshots === 6, { timeoutMs: 10_000, message: 'three books stitched again' });
    expect(performance.now() - bannedAt).toBeGreaterThanOrEqual(1_900);
    expect(exchange.counters.requestsWhileBanned).toBe(2);
  });
});
