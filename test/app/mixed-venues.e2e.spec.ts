import { BybitTestExchange } from '@exchange-connection/testkit';
import type { StartedFromEnv } from '../../apps/market-data/src/start-from-env.js';
import { type Env, expectConfigError, startApp as start } from './app-from-env.js';
import { waitFor } from '../support/wait-for.js';
import { StreamTestClient } from './stream-test-client.js';

interface HealthBody {
  status: string;
  details?: { exchange?: { connections?: Record<string, { state: string; shards: number }> } };
  info?: { source?: { testExchange: string[] } };
}

interface WelcomeConnection {
  name: string;
  venue: string;
  state: string;
  channels: string[];
  ticker: string;
  testExchange: boolean;
}

async function readyHealth(httpUrl: string): Promise<HealthBody> {
  return waitFor(
    async () => {
      const body = (await (await fetch(`${httpUrl}/health/ready`)).json()) as HealthBody;
      return body.status === 'ok' ? body : undefined;
    },
    { timeoutMs: 10_000, message: '/health/ready ok' },
  );
}

describe('market-data with EXCHANGE_CONNECTIONS=deribit,bybit,binance (startFromEnv, real sockets)', () => {
  let started: StartedFromEnv | undefined;
  const lines: string[] = [];
  const clients: StreamTestClient[] = [];

  beforeAll(async () => {
    started = await start(
      { EXCHANGE_CONNECTIONS: 'deribit,bybit,binance', DERIBIT_URL: 'embedded', BYBIT_URL: 'embedded', BINANCE_URL: 'embedded' },
      lines,
    );
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await started?.app.close();
  });

  async function client(): Promise<StreamTestClient> {
    const c = await StreamTestClient.connect(started!.streamUrl);
    clients.push(c);
    await c.waitFrames((f) => f.type === 'welcome');
    return c;
  }

  it('starts each venue’s embedded test exchange and says so per connection', async () => {
    expect(started!.sources).toEqual({
      deribit: { kind: 'embedded', asked: true, ignored: [] },
      bybit: { kind: 'embedded', asked: true, ignored: [] },
      binance: { kind: 'embedded', asked: true, ignored: [] },
    });
    const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages.some((m) => /^DERIBIT_URL=embedded: using the embedded test exchange at ws:.*not Deribit\)$/.test(m))).toBe(
      true,
    );
    expect(
      messages.some((m) =>
        /^BYBIT_URL=embedded: using the embedded test exchange at ws:.*\/v5\/public\/linear .*not Bybit\)$/.test(m),
      ),
    ).toBe(true);
  });

  it('reports every connection ready in /health/ready, each as test-exchange data', async () => {
    const body = await readyHealth(started!.httpUrl);
    expect(body.details?.exchange?.connections).toEqual({
      deribit: expect.objectContaining({ state: 'ready', shards: 1 }),
      bybit: expect.objectContaining({ state: 'ready', shards: 1 }),
      binance: expect.objectContaining({ state: 'ready', shards: 1 }),
    });
    expect(body.info?.source?.testExchange).toEqual(['deribit', 'bybit', 'binance']);
  });

  it('welcomes a browser with every connection, its venue and its public channels', async () => {
    const c = await client();
    const welcome = c.of('welcome')[0] as unknown as { connection: string; connections: WelcomeConnection[] };
    // The single-connection fields describe the first connection.
    expect(welcome.connection).toBe('deribit');
    expect(welcome.connections.map((w) => [w.name, w.venue, w.ticker, w.testExchange])).toEqual([
      ['deribit', 'deribit', 'ticker.BTC-PERPETUAL.100ms', true],
      ['bybit', 'bybit', 'tickers.BTCUSDT', true],
      ['binance', 'binance', 'btcusdt@ticker', true],
    ]);
    expect(welcome.connections[1]?.channels).toContain('orderbook.50.BTCUSDT');
  });

  it('streams from every venue: {connection, channel}, and the old form for a channel only one connection offers', async () => {
    await readyHealth(started!.httpUrl);
    const c = await client();
    c.send({ type: 'subscribe', connection: 'bybit', channel: 'tickers.BTCUSDT', id: 1 });
    c.send({ type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms', id: 2 });
    c.send({ type: 'subscribe', connection: 'bybit', channel: 'orderbook.50.BTCUSDT', id: 3 });
    await c.waitFrames((f) => f.type === 'subscribed', 3, 'three subscribed replies');
    expect(c.of('subscribed').map((f) => [f.connection, f.channel, f.id])).toEqual([
      ['bybit', 'tickers.BTCUSDT', 1],
      ['deribit', 'ticker.BTC-PERPETUAL.100ms', 2],
      ['bybit', 'orderbook.50.BTCUSDT', 3],
    ]);
    await c.waitFrames((f) => f.type === 'data' && f.connection === 'bybit' && f.channel === 'tickers.BTCUSDT', 2, 'bybit ticks');
    await c.waitFrames((f) => f.type === 'data' && f.connection === 'deribit', 2, 'deribit ticks');
    const bybitTick = c.frames.find((f) => f.type === 'data' && f.channel === 'tickers.BTCUSDT');
    expect(bybitTick?.data).toMatchObject({ topic: 'tickers.BTCUSDT', data: { symbol: 'BTCUSDT' } });
    const book = await c.waitFrames((f) => f.type === 'data' && f.channel === 'orderbook.50.BTCUSDT', 1, 'bybit book');
    expect(book[0]?.data).toMatchObject({ topic: 'orderbook.50.BTCUSDT' });
    c.send({ type: 'subscribe', channel: 'btcusdt@ticker', id: 4 });
    c.send({ type: 'subscribe', connection: 'binance', channel: 'btcusdt@depth@100ms', id: 5 });
    const binance = await c.waitFrames(
      (f) => f.type === 'data' && f.connection === 'binance' && f.channel === 'btcusdt@ticker',
      1,
      'binance ticker',
    );
    expect(binance[0]?.data).toMatchObject({ e: '24hrTicker', s: 'BTCUSDT' });
    // The book arrives once stitched to its REST snapshot.
    await c.waitFrames((f) => f.type === 'data' && f.channel === 'btcusdt@depth@100ms', 1, 'binance book');
    // Nothing of one connection arrives labelled as the other.
    expect(c.frames.filter((f) => f.type === 'data' && f.connection === 'deribit' && String(f.channel).includes('USDT'))).toEqual(
      [],
    );
  });

  it('refuses a channel of another connection, an unknown connection and a private Bybit topic', async () => {
    const c = await client();
    c.send({ type: 'subscribe', connection: 'deribit', channel: 'tickers.BTCUSDT', id: 'a' });
    c.send({ type: 'subscribe', connection: 'okx', channel: 'tickers.BTCUSDT', id: 'b' });
    c.send({ type: 'subscribe', connection: 'bybit', channel: 'wallet', id: 'c' });
    const errors = await c.waitFrames((f) => f.type === 'error', 3, 'three refusals');
    expect(errors.map((f) => [f.id, f.code])).toEqual([
      ['a', 'channel_not_allowed'],
      ['b', 'unknown_connection'],
      ['c', 'channel_not_allowed'],
    ]);
  });

  it('pushes a status with every connection (venue, sockets, source) and serves the page that shows them', async () => {
    await readyHealth(started!.httpUrl);
    const c = await client();
    c.send({ type: 'status', id: 's' });
    const [status] = await c.waitFrames((f) => f.type === 'status' && f.id === 's');
    expect(status?.connections).toEqual([
      expect.objectContaining({ name: 'deribit', venue: 'deribit', shards: 1, testExchange: true, state: 'ready' }),
      expect.objectContaining({ name: 'bybit', venue: 'bybit', shards: 1, testExchange: true, state: 'ready' }),
      expect.objectContaining({ name: 'binance', venue: 'binance', shards: 1, testExchange: true, state: 'ready' }),
    ]);
    const channels = status?.channels as Array<{ connection: string; channel: string }>;
    expect(channels.map((ch) => `${ch.connection} ${ch.channel}`)).toEqual(
      expect.arrayContaining(['deribit ticker.BTC-PERPETUAL.100ms', 'bybit tickers.BTCUSDT', 'bybit orderbook.50.BTCUSDT']),
    );
    const page = await (await fetch(`${started!.httpUrl}/status`)).text();
    expect(page).toContain('<th>venue</th>');
    expect(page).toContain('id="tickers-body"');
  });

  it('labels /metrics by connection for every venue', async () => {
    await readyHealth(started!.httpUrl);
    const text = await (await fetch(`${started!.httpUrl}/metrics`)).text();
    for (const name of ['deribit', 'bybit', 'binance']) {
      expect(text).toContain(`exchange_connection_up{connection="${name}"} 1`);
      expect(text).toContain(`exchange_connection_shards{connection="${name}"} 1`);
    }
  });
});

describe('market-data with a Bybit venue URL (not embedded) beside the embedded Deribit exchange', () => {
  it('connects to the URL as given, takes the market from its path, and serves its ticks', async () => {
    const bybit = await BybitTestExchange.start({ port: 0, seed: 3, feedIntervalMs: 50 });
    try {
      const started = await start({
        EXCHANGE_CONNECTIONS: 'deribit, spot',
        DERIBIT_URL: 'embedded',
        SPOT_VENUE: 'bybit',
        SPOT_URL: bybit.url('spot'),
        SPOT_HEARTBEAT_INTERVAL_SEC: '1',
      });
      try {
        expect(started.sources).toEqual({ deribit: expect.objectContaining({ kind: 'embedded' }), spot: { kind: 'venue' } });
        const body = await readyHealth(started.httpUrl);
        expect(Object.keys(body.details?.exchange?.connections ?? {})).toEqual(['deribit', 'spot']);
        expect(body.info?.source?.testExchange).toEqual(['deribit']);
        const c = await StreamTestClient.connect(started.streamUrl);
        try {
          c.send({ type: 'subscribe', connection: 'spot', channel: 'publicTrade.ETHUSDT' });
          await c.waitFrames((f) => f.type === 'data' && f.connection === 'spot', 1, 'spot trades');
          expect(bybit.connections().some((conn) => conn.subscriptions.includes('publicTrade.ETHUSDT'))).toBe(true);
        } finally {
          await c.close();
        }
      } finally {
        await started.app.close();
      }
    } finally {
      await bybit.stop();
    }
  });
});

describe('EXCHANGE_CONNECTIONS and per-venue variables are checked before anything starts', () => {
  it.each<[string, Env, RegExp]>([
    ['an empty name', { EXCHANGE_CONNECTIONS: 'deribit,,bybit' }, /^EXCHANGE_CONNECTIONS must be a comma-separated list/],
    ['a repeated name', { EXCHANGE_CONNECTIONS: 'deribit,deribit' }, /^EXCHANGE_CONNECTIONS names "deribit" twice/],
    ['a venue the app does not serve', { EXCHANGE_CONNECTIONS: 'x', X_VENUE: 'okx' }, /^X_VENUE must be one of deribit, bybit/],
    ['a blank BYBIT_URL', { EXCHANGE_CONNECTIONS: 'deribit,bybit', BYBIT_URL: ' ' }, /^BYBIT_URL is empty/],
    [
      'BYBIT_URL=embedded in production',
      { NODE_ENV: 'production', EXCHANGE_CONNECTIONS: 'bybit', BYBIT_URL: 'embedded' },
      /^BYBIT_URL is "embedded", which is refused when NODE_ENV=production/,
    ],
    [
      'a Bybit market that is not one',
      { EXCHANGE_CONNECTIONS: 'deribit,bybit', DERIBIT_URL: 'embedded', BYBIT_URL: 'embedded', BYBIT_MARKET: 'inverse' },
      /BYBIT_MARKET must be one of spot, linear, private/,
    ],
    [
      'a Deribit variable on the Bybit connection',
      { EXCHANGE_CONNECTIONS: 'bybit', BYBIT_URL: 'embedded', BYBIT_MAX_CHANNELS_PER_CALL: '5' },
      /BYBIT_MAX_CHANNELS_PER_CALL applies to venue deribit only/,
    ],
  ])('%s is a config error naming the variable, and starts nothing', async (_name, env, pattern) => {
    await expectConfigError(env, pattern);
  });
});
