import type { ClientLogger } from '../../client/client-types.js';
import { ExchangeConnectionError } from '../../client/errors.js';
import { ManualClock } from '../../client/testing/manual-clock.js';
import { RequestedPause } from '../requested-pause.js';
import { BinanceAdapter, type BinanceAdapterOptions } from './binance-adapter.js';
import { binanceRequestPause } from './binance-request-pause.js';

const banned = (retryAfterMs: number): ExchangeConnectionError =>
  new ExchangeConnectionError('RATE_LIMITED', 'Binance GET /api/v3/depth failed: IP banned', {
    httpStatus: 418,
    method: 'GET /api/v3/depth',
    retryAfterMs,
  });

const REST = 'http://127.0.0.1:4100';

describe('Binance request pauses: one per limits domain and REST origin', () => {
  // A fresh clock per test: the registry is per clock, so no test sees another's pauses.
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });

  it('spot market streams and spot user data share one pause (the spot REST and WebSocket API limits are one)', () => {
    const spot = binanceRequestPause(undefined, 'spot', REST, clock);
    expect(binanceRequestPause('shared', 'user-data', REST, clock)).toBe(spot);
    // The origin, not the text: a trailing slash or a path is the same REST base.
    expect(binanceRequestPause('shared', 'spot', `${REST}/`, clock)).toBe(spot);
  });

  it('every USDⓈ-M market shares one pause, apart from spot', () => {
    const usdm = binanceRequestPause('shared', 'futures-public', REST, clock);
    expect(binanceRequestPause('shared', 'futures-market', REST, clock)).toBe(usdm);
    expect(binanceRequestPause('shared', 'futures-user-data', REST, clock)).toBe(usdm);
    expect(binanceRequestPause('shared', 'spot', REST, clock)).not.toBe(usdm);
  });

  it('another port, host or scheme is another pause (two test exchanges in one process never share)', () => {
    const spot = binanceRequestPause('shared', 'spot', REST, clock);
    for (const other of ['http://127.0.0.1:4101', 'http://localhost:4100', 'https://127.0.0.1:4100']) {
      expect(binanceRequestPause('shared', 'spot', other, clock)).not.toBe(spot);
    }
  });

  it('another clock is another pause (a deadline belongs to its timeline)', () => {
    expect(binanceRequestPause('shared', 'spot', REST, new ManualClock())).not.toBe(
      binanceRequestPause('shared', 'spot', REST, clock),
    );
  });

  it("'private' is the adapter's own; a given RequestedPause is used as is", () => {
    const shared = binanceRequestPause('shared', 'spot', REST, clock);
    const own = binanceRequestPause('private', 'spot', REST, clock);
    expect(own).not.toBe(shared);
    expect(binanceRequestPause('private', 'spot', REST, clock)).not.toBe(own);
    const given = new RequestedPause('Binance spot, all of this host', clock);
    expect(binanceRequestPause(given, 'futures-public', REST, clock)).toBe(given);
  });

  it('the label names the domain and the host, never userinfo, a path or a query', () => {
    const pause = binanceRequestPause('shared', 'futures-public', 'https://user:pw@rest.example:8443/x?apiKey=secret', clock);
    expect(pause.label).toBe('Binance USDⓈ-M (rest.example:8443)');
    expect(binanceRequestPause('private', 'user-data', REST, clock).label).toBe('Binance spot (127.0.0.1:4100)');
  });

  it('the warning says which limits wait', async () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger: ClientLogger = {
      log: () => undefined,
      warn: (message, meta) => warnings.push([message, meta as Record<string, unknown> | undefined]),
      error: () => undefined,
    };
    binanceRequestPause('shared', 'user-data', REST, clock).note(banned(120_000), logger);
    expect(warnings).toEqual([
      [
        'Binance spot (127.0.0.1:4100) asked for no request for 120 s; every request to these limits waits',
        expect.objectContaining({ limits: 'Binance spot (127.0.0.1:4100)', httpStatus: 418, method: 'GET /api/v3/depth' }),
      ],
    ]);
  });
});

describe('BinanceAdapter requestPause option', () => {
  let clock: ManualClock;
  const adapter = (options: Partial<BinanceAdapterOptions> & Pick<BinanceAdapterOptions, 'market'>): BinanceAdapter =>
    new BinanceAdapter({ restUrl: REST, clock, ...options });
  beforeEach(() => {
    clock = new ManualClock();
  });

  it('by default a ban told to one adapter holds every adapter of its domain and origin, and no other', () => {
    const market = adapter({ market: 'spot' });
    const user = adapter({ market: 'user-data' });
    const futures = adapter({ market: 'futures-public' });
    const elsewhere = adapter({ market: 'spot', restUrl: 'http://127.0.0.1:4101' });
    const isolated = adapter({ market: 'spot', requestPause: 'private' });
    binanceRequestPause('shared', 'user-data', REST, clock).note(banned(120_000));
    expect(market.requestPauseMs).toBe(120_000);
    expect(user.requestPauseMs).toBe(120_000);
    expect([futures.requestPauseMs, elsewhere.requestPauseMs, isolated.requestPauseMs]).toEqual([0, 0, 0]);
  });

  it('a given pause is shared across domains and origins by whoever is given it', () => {
    const given = new RequestedPause('Binance, this IP', clock);
    const spot = adapter({ market: 'spot', requestPause: given });
    const futures = adapter({ market: 'futures-public', restUrl: 'http://127.0.0.1:4101', requestPause: given });
    given.note(banned(5_000));
    expect([spot.requestPauseMs, futures.requestPauseMs]).toEqual([5_000, 5_000]);
    expect(adapter({ market: 'spot' }).requestPauseMs).toBe(0);
  });

  it('refuses anything else with INVALID_CONFIG', () => {
    expect(() => adapter({ market: 'spot', requestPause: 'global' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/requestPause/) }),
    );
  });
});
