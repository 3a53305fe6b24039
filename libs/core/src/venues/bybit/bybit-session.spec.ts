import { jest } from '@jest/globals';
import { ExchangeConnectionError } from '../../client/errors.js';
import { ManualClock, flush } from '../../client/testing/manual-clock.js';
import type { RestoreStep } from '../venue-adapter.js';
import { RecordingRpc, type RpcHandler } from '../deribit/testing/recording-rpc.js';
import { bybitSignature } from './bybit-auth.js';
import { DEFAULT_BACK_OFF } from './bybit-back-off.js';
import { mapBybitError } from './bybit-errors.js';
import { BybitSession, type BybitSessionConfig } from './bybit-session.js';
import type { BybitMarket } from './bybit-topics.js';

const credentials = { apiKey: 'key-1', apiSecret: 's3cr3t' };
const ok: RpcHandler = () => ({ success: true });

function setup(market: BybitMarket, handler: RpcHandler = ok, config: Partial<BybitSessionConfig> = {}) {
  const clock = new ManualClock();
  const rpc = new RecordingRpc(handler);
  const onFatal = jest.fn();
  const warn = jest.fn();
  const session = new BybitSession(rpc, market === 'private' ? { credentials } : {}, onFatal, {
    market,
    authValidityMs: 10_000,
    pingIntervalMs: 20_000,
    maxArgsPerRequest: 10,
    maxRequestsInFlight: 1,
    backOff: DEFAULT_BACK_OFF,
    clock,
    logger: { log: jest.fn(), warn, error: jest.fn() },
    ...config,
  });
  return { clock, rpc, onFatal, warn, session };
}

const refused = (op: string, message: string) => mapBybitError({ op, message });
const args = (call: { params: Record<string, unknown> | undefined }) => call.params?.args;

describe('BybitSession.restore', () => {
  it('authenticates a private session with a fresh expires every time, then starts the ping', async () => {
    const first = setup('private');
    const steps: RestoreStep[] = [];
    await first.session.restore((s) => steps.push(s));
    expect(steps).toEqual(['auth', 'heartbeat']);
    expect(first.session.authenticated).toBe(true);
    const [apiKey, expires, signature] = args(first.rpc.calls[0]!) as [string, number, string];
    expect(first.rpc.methods()).toEqual(['auth']);
    expect(apiKey).toBe('key-1');
    expect(expires).toBe(first.clock.now() + 10_000);
    expect(signature).toBe(bybitSignature('s3cr3t', expires));
    first.session.dispose();

    const second = setup('private');
    await second.clock.advance(5_000);
    await second.session.restore();
    expect((args(second.rpc.calls[0]!) as [string, number])[1]).toBe(expires + 5_000);
    second.session.dispose();
  });

  it('sends no auth on a public session', async () => {
    const { rpc, session } = setup('spot');
    await session.restore();
    expect(rpc.calls).toHaveLength(0);
    session.dispose();
  });

  it('fails with the fatal error when the venue refuses the key', async () => {
    const { session } = setup('private', () => {
      throw mapBybitError({ op: 'auth', code: 10003, message: 'API key is invalid.' });
    });
    await expect(session.restore()).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', venueCode: 10003 });
    expect(session.authenticated).toBe(false);
    session.dispose();
  });

  it('re-signs each auth attempt after a rate limit', async () => {
    let limited = 1;
    const { rpc, clock, session } = setup('private', () => {
      if (limited-- > 0) throw mapBybitError({ op: 'auth', code: 10429, message: 'frequency' });
      return { success: true };
    });
    const done = session.restore();
    await clock.advance(DEFAULT_BACK_OFF.baseDelayMs);
    await done;
    const expires = rpc.calls.map((c) => (args(c) as [string, number])[1]);
    expect(expires).toEqual([expires[0], (expires[0] ?? 0) + DEFAULT_BACK_OFF.baseDelayMs]);
    session.dispose();
  });

  it('needs credentials for the private endpoint', () => {
    expect(
      () =>
        new BybitSession(new RecordingRpc(), {}, jest.fn(), {
          market: 'private',
          authValidityMs: 1,
          pingIntervalMs: 1,
          maxArgsPerRequest: 1,
          maxRequestsInFlight: 1,
          backOff: DEFAULT_BACK_OFF,
          clock: new ManualClock(),
        }),
    ).toThrow('needs credentials');
  });
});

describe('BybitSession ping', () => {
  it('sends {"op":"ping"} every interval and stops on dispose', async () => {
    const { rpc, clock, session } = setup('linear');
    await session.restore();
    await clock.advance(59_999);
    expect(rpc.methods()).toEqual(['ping', 'ping']);
    await clock.advance(1);
    expect(session.heartbeat).toEqual({ pingsSent: 3, pongs: 3 });
    session.dispose();
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(rpc.calls).toHaveLength(3);
  });

  it('reports a "service restarting" answer so the session is rebuilt', async () => {
    const { clock, onFatal, session } = setup('linear', () => {
      throw mapBybitError({ op: 'ping', code: 10016, message: 'service restarting' });
    });
    await session.restore();
    await clock.advance(20_000);
    expect(onFatal).toHaveBeenCalledWith(expect.objectContaining({ venueCode: 10016 }));
    session.dispose();
  });

  it('logs other ping failures and keeps pinging', async () => {
    const { clock, warn, onFatal, rpc, session } = setup('linear', () => {
      throw new ExchangeConnectionError('REQUEST_TIMEOUT', 'slow');
    });
    await session.restore();
    await clock.advance(40_000);
    expect(warn).toHaveBeenCalledWith('Bybit ping failed', { code: 'REQUEST_TIMEOUT' });
    expect(onFatal).not.toHaveBeenCalled();
    expect(rpc.calls).toHaveLength(2);
    session.dispose();
  });
});

describe('BybitSession.subscribe', () => {
  it('batches at most maxArgsPerRequest args and returns every topic subscribed', async () => {
    const { rpc, session } = setup('spot');
    const topics = Array.from({ length: 25 }, (_, i) => `tickers.S${i}USDT`);
    await expect(session.subscribe(topics)).resolves.toEqual(topics);
    expect(rpc.calls.map((c) => (args(c) as string[]).length)).toEqual([10, 10, 5]);
    session.dispose();
  });

  it('keeps several requests in flight when allowed', async () => {
    const pending: Array<() => void> = [];
    const { rpc, session } = setup('spot', () => new Promise((resolve) => pending.push(() => resolve({ success: true }))), {
      maxRequestsInFlight: 3,
    });
    const done = session.subscribe(Array.from({ length: 50 }, (_, i) => `tickers.S${i}USDT`));
    await flush();
    expect(rpc.calls).toHaveLength(3);
    while (pending.length > 0) {
      pending.shift()?.();
      await flush();
    }
    await expect(done).resolves.toHaveLength(50);
    expect(rpc.calls).toHaveLength(5);
    session.dispose();
  });

  it('retries a refused batch topic by topic: only the bad topic is left out', async () => {
    const { rpc, session, warn } = setup('spot', (_op, params) => {
      const list = params?.args as string[];
      if (list.includes('tickers.NOPE')) throw refused('subscribe', 'error:handler not found,topic:tickers.NOPE');
      if (list.length === 1 && list[0] === 'tickers.A') throw refused('subscribe', 'error:already subscribed,topic:tickers.A');
      return { success: true };
    });
    await expect(session.subscribe(['tickers.A', 'tickers.NOPE', 'tickers.B'])).resolves.toEqual(['tickers.A', 'tickers.B']);
    expect(rpc.calls.map(args)).toEqual([
      ['tickers.A', 'tickers.NOPE', 'tickers.B'],
      ['tickers.A'],
      ['tickers.NOPE'],
      ['tickers.B'],
    ]);
    expect(warn).toHaveBeenCalledWith('Bybit refused a topic', { topic: 'tickers.NOPE', code: 'VENUE_ERROR' });
    session.dispose();
  });

  it('refuses topics this socket cannot carry without asking the venue', async () => {
    const { rpc, session } = setup('spot');
    await expect(session.subscribe(['order', 'orderbook.25.BTCUSDT', 'tickers.BTCUSDT'])).resolves.toEqual(['tickers.BTCUSDT']);
    expect(rpc.calls.map(args)).toEqual([['tickers.BTCUSDT']]);
    session.dispose();
  });

  it('keeps all-in-one and categorised private topics in separate requests', async () => {
    const { rpc, session } = setup('private');
    await session.restore();
    await session.subscribe(['order', 'execution.linear', 'wallet']);
    expect(rpc.calls.slice(1).map(args)).toEqual([['order', 'wallet'], ['execution.linear']]);
    session.dispose();
  });

  it('fails on anything but a refusal (the supervisor rebuilds)', async () => {
    const { session } = setup('spot', () => {
      throw new ExchangeConnectionError('DISCONNECTED', 'gone');
    });
    await expect(session.subscribe(['tickers.A'])).rejects.toMatchObject({ code: 'DISCONNECTED' });
    session.dispose();
  });

  it('counts a refused unsubscribe as removed', async () => {
    const { session } = setup('spot', () => {
      throw refused('unsubscribe', 'error:not subscribed');
    });
    await expect(session.unsubscribe(['tickers.A'])).resolves.toEqual(['tickers.A']);
    session.dispose();
  });

  it('fails with NOT_CONNECTED once disposed', async () => {
    const { session } = setup('spot');
    session.dispose();
    await expect(session.subscribe(['tickers.A'])).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(session.restore()).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});

describe('BybitSession.route', () => {
  it('routes a topic message whole, and marks a u == 1 book message as a snapshot', () => {
    const { session } = setup('linear');
    const ticker = { topic: 'tickers.BTCUSDT', type: 'delta', data: { symbol: 'BTCUSDT' } };
    expect(session.route(ticker)).toEqual({ kind: 'data', channel: 'tickers.BTCUSDT', data: ticker });
    const restart = { topic: 'orderbook.50.BTCUSDT', type: 'delta', data: { u: 1 } };
    expect(session.route(restart)).toMatchObject({ data: { type: 'snapshot' } });
    expect(session.route({ op: 'pong' })).toEqual({ kind: 'unknown' });
    session.dispose();
  });
});
