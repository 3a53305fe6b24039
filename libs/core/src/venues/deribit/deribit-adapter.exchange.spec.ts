import { jest } from '@jest/globals';
import { TestExchange, type TestExchangeOptions } from '@exchange-connection/testkit';
import { ExchangeClient } from '../../client/exchange-client.js';
import type { ExchangeConnectionError } from '../../client/errors.js';
import type { RestoreStep, VenueCredentials, VenueSessionOptions } from '../venue-adapter.js';
import { DeribitAdapter, type DeribitAdapterOptions } from './deribit-adapter.js';
import type { DeribitSession } from './deribit-session.js';
import { ManualClock } from '../../client/testing/manual-clock.js';

/**
 * The adapter against the real Deribit-protocol test exchange, over the library's real client on
 * loopback sockets. Each test opens its own exchange and closes everything it opened.
 */
const ACCOUNT = { clientId: 'adapter-client', clientSecret: 'adapter-secret-123' };
const creds = (kind: VenueCredentials['kind'], secret = ACCOUNT.clientSecret): VenueCredentials => ({
  kind,
  clientId: ACCOUNT.clientId,
  clientSecret: secret,
});

interface Harness {
  exchange: TestExchange;
  client: ExchangeClient;
  session: DeribitSession;
  adapter: DeribitAdapter;
  onFatal: jest.Mock<(error: ExchangeConnectionError) => void>;
}

const open: Array<{ exchange: TestExchange; clients: ExchangeClient[]; sessions: DeribitSession[] }> = [];

async function startExchange(options: TestExchangeOptions = {}): Promise<TestExchange> {
  const exchange = await TestExchange.start({
    port: 0,
    minHeartbeatIntervalSec: 0.2,
    feedIntervalMs: 0,
    accounts: [ACCOUNT],
    ...options,
  });
  open.push({ exchange, clients: [], sessions: [] });
  return exchange;
}

async function connect(
  exchange: TestExchange,
  options: VenueSessionOptions,
  adapterOptions: DeribitAdapterOptions = {},
): Promise<Harness> {
  const adapter = new DeribitAdapter(adapterOptions);
  const client = new ExchangeClient({
    url: exchange.url,
    reconnectOnError: false,
    heartbeat: false,
    codec: adapter.createCodec(),
  });
  const entry = open.find((e) => e.exchange === exchange);
  entry?.clients.push(client);
  await client.connect();
  const onFatal = jest.fn<(error: ExchangeConnectionError) => void>();
  const session = adapter.createSession(client, options, onFatal);
  entry?.sessions.push(session);
  client.on('notification', (notification) => session.route(notification));
  return { exchange, client, session, adapter, onFatal };
}

afterEach(async () => {
  for (const { exchange, clients, sessions } of open.splice(0)) {
    for (const session of sessions) session.dispose();
    await Promise.all(clients.map((c) => c.close()));
    await exchange.stop();
  }
});

describe('DeribitAdapter against the test exchange', () => {
  it.each(['client_credentials', 'client_signature'] as const)('authenticates with %s', async (kind) => {
    const exchange = await startExchange();
    const { session } = await connect(exchange, { credentials: creds(kind) });
    await session.restore();
    expect(session.authenticated).toBe(true);
    expect(exchange.connections()).toEqual([expect.objectContaining({ authenticated: true, clientId: ACCOUNT.clientId })]);
    expect(exchange.counters.auth).toBe(1);
  });

  it.each(['client_credentials', 'client_signature'] as const)(
    'bad %s credentials → INVALID_CREDENTIALS, fatal, secret not in the error',
    async (kind) => {
      const exchange = await startExchange();
      const { session, adapter } = await connect(exchange, { credentials: creds(kind, 'wrong-secret-456') });
      const error = (await session.restore().catch((e: unknown) => e)) as ExchangeConnectionError;
      expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', venueCode: 13004, method: 'public/auth' });
      expect(adapter.isFatal(error)).toBe(true);
      expect(`${error.message} ${String(error.stack)}`).not.toContain('wrong-secret-456');
    },
  );

  it('setRejectAuth on the exchange → INVALID_CREDENTIALS', async () => {
    const exchange = await startExchange();
    exchange.setRejectAuth(true);
    const { session, adapter } = await connect(exchange, { credentials: creds('client_credentials') });
    const error = (await session.restore().catch((e: unknown) => e)) as ExchangeConnectionError;
    expect(adapter.isFatal(error)).toBe(true);
  });

  it('refreshes the token before expiry on the same connection', async () => {
    const exchange = await startExchange({ tokenTtlSec: 2 });
    const { session, onFatal, client } = await connect(exchange, { credentials: creds('client_signature') });
    await session.restore();
    await exchange.waitFor(() => exchange.counters.refresh >= 2, 8000);
    expect(exchange.counters.connections).toBe(1);
    expect(exchange.connections()).toEqual([expect.objectContaining({ authenticated: true })]);
    expect(client.cycle).toBe(1);
    expect(onFatal).not.toHaveBeenCalled();
    // The refreshed session still serves private calls.
    await expect(session.subscribe(['user.portfolio.BTC'])).resolves.toEqual(['user.portfolio.BTC']);
  });

  it('expired access tokens: the scheduled refresh re-binds the same connection', async () => {
    const exchange = await startExchange({ tokenTtlSec: 2 });
    const { session, onFatal } = await connect(exchange, { credentials: creds('client_credentials') });
    await session.restore();
    exchange.expireTokens();
    expect(exchange.connections()[0]?.authenticated).toBe(false);
    await exchange.waitFor(() => exchange.counters.refresh >= 1 && exchange.connections()[0]?.authenticated === true, 8000);
    expect(exchange.counters.connections).toBe(1);
    expect(onFatal).not.toHaveBeenCalled();
  });

  it('refresh and re-auth both failing → onFatal once', async () => {
    const exchange = await startExchange({ tokenTtlSec: 1 });
    const { session, onFatal } = await connect(exchange, { credentials: creds('client_credentials') });
    await session.restore();
    exchange.setRejectAuth(true);
    exchange.expireTokens();
    await exchange.waitFor(() => onFatal.mock.calls.length > 0, 8000);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0]?.[0].code).toBe('INVALID_CREDENTIALS');
  });

  it('sets the heartbeat and answers test_requests: the connection outlives several intervals', async () => {
    const exchange = await startExchange();
    const { session, client } = await connect(exchange, { heartbeatIntervalSec: 0.2 });
    await session.restore();
    expect(exchange.connections()).toEqual([expect.objectContaining({ heartbeatIntervalSec: 0.2 })]);
    await exchange.waitFor(() => exchange.counters.testCalls >= 5, 10_000);
    expect(exchange.counters.setHeartbeat).toBe(1);
    expect(exchange.counters.heartbeatCloses).toBe(0);
    expect(client.state).toBe('open');
    expect(exchange.connections()).toHaveLength(1);
  });

  it('enables cancel-on-disconnect; closing the socket fires it', async () => {
    const exchange = await startExchange();
    const { session, client } = await connect(exchange, {
      credentials: creds('client_credentials'),
      cancelOnDisconnect: { scope: 'connection' },
    });
    await session.restore();
    expect(exchange.connections()[0]?.cancelOnDisconnect).toEqual({ enabled: true, scope: 'connection' });
    await session.beforeClose();
    session.dispose();
    await client.close();
    await exchange.waitFor(() => exchange.cancelOnDisconnectFirings.length === 1, 5000);
    expect(exchange.cancelOnDisconnectFirings[0]).toMatchObject({ clientId: ACCOUNT.clientId, scope: 'connection' });
    expect(exchange.counters.disableCancelOnDisconnect).toBe(0);
  });

  it('disableCancelOnDisconnectOnClose: beforeClose disables it, so the close cancels nothing', async () => {
    const exchange = await startExchange();
    const { session, client } = await connect(exchange, {
      credentials: creds('client_credentials'),
      cancelOnDisconnect: true,
      disableCancelOnDisconnectOnClose: true,
    });
    await session.restore();
    await session.beforeClose();
    expect(exchange.counters.disableCancelOnDisconnect).toBe(1);
    expect(exchange.connections()[0]?.cancelOnDisconnect.enabled).toBe(false);
    session.dispose();
    await client.close();
    await exchange.waitFor(() => exchange.connections().length === 0, 5000);
    expect(exchange.cancelOnDisconnectFirings).toHaveLength(0);
  });

  it('restores in order: hello → auth → set_heartbeat → enable_cancel_on_disconnect', async () => {
    const exchange = await startExchange();
    const { session } = await connect(
      exchange,
      { credentials: creds('client_signature'), heartbeatIntervalSec: 0.5, cancelOnDisconnect: true },
      { clientName: 'adapter-spec', clientVersion: '1.0.0' },
    );
    const steps: RestoreStep[] = [];
    await session.restore((step) => steps.push(step));
    expect(steps).toEqual(['hello', 'auth', 'heartbeat', 'cancel-on-disconnect']);
    expect(exchange.requestLog.map((e) => e.method).slice(0, 4)).toEqual([
      'public/hello',
      'public/auth',
      'public/set_heartbeat',
      'private/enable_cancel_on_disconnect',
    ]);
    expect(new Set(exchange.requestLog.map((e) => e.connectionId)).size).toBe(1);
  });

  it('subscribes 500 channels in 3 calls and unsubscribes them likewise', async () => {
    const instruments = Array.from({ length: 500 }, (_, i) => `BTC-I${i}`);
    const channels = instruments.map((i) => `ticker.${i}.100ms`);
    const exchange = await startExchange({ instruments });
    const { session } = await connect(exchange, {});
    await session.restore();
    const subscribed = await session.subscribe(channels);
    expect(new Set(subscribed)).toEqual(new Set(channels));
    expect(exchange.counters.subscribeCalls).toBeLessThanOrEqual(3);
    expect(exchange.connections()[0]?.subscriptions).toHaveLength(500);
    const removed = await session.unsubscribe(channels);
    expect(removed).toHaveLength(500);
    expect(exchange.counters.unsubscribeCalls).toBeLessThanOrEqual(3);
    expect(exchange.connections()[0]?.subscriptions).toHaveLength(0);
  });

  it('public and private channels go to public/ and private/subscribe', async () => {
    const exchange = await startExchange();
    const { session } = await connect(exchange, { credentials: creds('client_credentials') });
    await session.restore();
    exchange.resetCounters();
    const channels = ['ticker.BTC-PERPETUAL.100ms', 'ticker.BTC-PERPETUAL.raw', 'user.orders.BTC-PERPETUAL.raw'];
    await expect(session.subscribe(channels)).resolves.toEqual(expect.arrayContaining(channels));
    expect(exchange.requestLog.map((e) => e.method)).toEqual(['public/subscribe', 'private/subscribe']);
  });

  it('10028 during subscribe backs off and succeeds', async () => {
    const instruments = Array.from({ length: 50 }, (_, i) => `ETH-I${i}`);
    const channels = instruments.map((i) => `book.${i}.100ms`);
    const exchange = await startExchange({ instruments });
    const { session } = await connect(exchange, {}, { maxChannelsPerCall: 10, rateLimitRetry: { maxAttempts: 8 } });
    await session.restore();
    exchange.setRateLimit({ capacity: 2, refillPerSec: 5 });
    const subscribed = await session.subscribe(channels);
    expect(new Set(subscribed)).toEqual(new Set(channels));
    expect(exchange.counters.rateLimited).toBeGreaterThan(0);
    expect(exchange.connections()[0]?.subscriptions).toHaveLength(50);
  });

  it('dispose during a rate-limit back-off ends the wait at once and leaves no timer', async () => {
    const exchange = await startExchange();
    // The back-off waits on the session's clock, so "in the back-off" is a condition to wait on: the
    // exchange counting its 10028 says nothing about whether the answer has reached the client yet
    // (under load it had not, the session was disposed with the call in flight, and the 10028 itself
    // came back as RATE_LIMITED).
    const clock = new ManualClock(Date.now());
    const { session } = await connect(exchange, {}, { clock, rateLimitRetry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    exchange.setRateLimit({ capacity: 1, refillPerSec: 0.001 });
    await session.subscribe(['ticker.BTC-PERPETUAL.100ms']);
    const pending = session.subscribe(['ticker.ETH-PERPETUAL.100ms']).catch((e: unknown) => e);
    await exchange.waitFor(() => clock.pending === 1, 5000);
    expect(clock.nextDelay()).toBe(60_000);
    session.dispose();
    expect(await pending).toMatchObject({ code: 'NOT_CONNECTED' });
    expect(clock.pending).toBe(0);
  });

  it('dispose clears the refresh timer: no refresh is ever sent afterwards', async () => {
    const exchange = await startExchange({ tokenTtlSec: 1 });
    const clock = new ManualClock(Date.now());
    const { session, client } = await connect(exchange, { credentials: creds('client_credentials') }, { clock });
    await session.restore();
    expect(clock.pending).toBe(1);
    session.dispose();
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    // A round trip after the would-be refresh time: anything sent before it has arrived by now.
    await client.request('public/test', {});
    expect(exchange.counters.refresh).toBe(0);
    expect(session.authenticated).toBe(false);
  });
});
