import { jest } from '@jest/globals';
import { ExchangeConnectionError } from '../../client/errors.js';
import type { RestoreStep, VenueSessionOptions } from '../venue-adapter.js';
import { DeribitAdapter, type DeribitAdapterOptions } from './deribit-adapter.js';
import { ManualClock, flush } from '../../client/testing/manual-clock.js';
import { RecordingRpc, defaultHandler, type RpcHandler } from './testing/recording-rpc.js';

const credentials = { kind: 'client_credentials', clientId: 'id', clientSecret: 's3cr3t' } as const;

function setup(options: VenueSessionOptions, adapterOptions: DeribitAdapterOptions = {}, handler?: RpcHandler) {
  const clock = new ManualClock();
  const rpc = new RecordingRpc(handler);
  const onFatal = jest.fn();
  const session = new DeribitAdapter({ clock, ...adapterOptions }).createSession(rpc, options, onFatal);
  return { clock, rpc, onFatal, session };
}

describe('DeribitSession.restore', () => {
  it('runs hello → auth → set_heartbeat → enable_cancel_on_disconnect in order and reports each step', async () => {
    const { rpc, session, clock } = setup(
      { credentials, heartbeatIntervalSec: 15, cancelOnDisconnect: { scope: 'account' } },
      { clientName: 'my-bot', clientVersion: '1.2.3' },
    );
    const steps: RestoreStep[] = [];
    await session.restore((s) => steps.push(s));
    expect(steps).toEqual(['hello', 'auth', 'heartbeat', 'cancel-on-disconnect']);
    expect(rpc.calls.map((c) => [c.method, c.params])).toEqual([
      ['public/hello', { client_name: 'my-bot', client_version: '1.2.3' }],
      ['public/auth', { grant_type: 'client_credentials', client_id: 'id', client_secret: 's3cr3t' }],
      ['public/set_heartbeat', { interval: 15 }],
      ['private/enable_cancel_on_disconnect', { scope: 'account' }],
    ]);
    expect(session.authenticated).toBe(true);
    expect(session.cancelOnDisconnectEnabled).toBe(true);
    session.dispose();
    expect(clock.pending).toBe(0);
  });

  it('does nothing without configuration', async () => {
    const { rpc, session } = setup({});
    await session.restore();
    expect(rpc.calls).toHaveLength(0);
    session.dispose();
  });

  it('skips cancel-on-disconnect without credentials (and warns)', async () => {
    const warn = jest.fn();
    const { rpc, session } = setup(
      { cancelOnDisconnect: true, heartbeatIntervalSec: 10 },
      { logger: { log: jest.fn(), warn, error: jest.fn() } },
    );
    await session.restore();
    expect(rpc.methods()).toEqual(['public/set_heartbeat']);
    expect(warn).toHaveBeenCalled();
    session.dispose();
  });

  it('types bad credentials as INVALID_CREDENTIALS (fatal) and stops there', async () => {
    const adapter = new DeribitAdapter();
    const { rpc, session } = setup({ credentials, heartbeatIntervalSec: 10 }, {}, (method, params) => {
      if (method === 'public/auth') throw new ExchangeConnectionError('VENUE_ERROR', 'invalid_credentials', { venueCode: 13004 });
      return defaultHandler(method, params);
    });
    const error = await session.restore().catch((e: ExchangeConnectionError) => e);
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(adapter.isFatal(error as ExchangeConnectionError)).toBe(true);
    expect(rpc.methods()).toEqual(['public/auth']);
    session.dispose();
  });

  it('retries a restore step answered with 10028 after a back-off', async () => {
    let limited = 2;
    const { rpc, session, clock } = setup({ heartbeatIntervalSec: 10 }, {}, (method, params) => {
      if (method === 'public/set_heartbeat' && limited-- > 0) {
        throw new ExchangeConnectionError('RATE_LIMITED', 'too_many_requests', { venueCode: 10028 });
      }
      return defaultHandler(method, params);
    });
    const done = session.restore();
    await clock.advance(1000);
    await done;
    expect(rpc.methods()).toEqual(['public/set_heartbeat', 'public/set_heartbeat', 'public/set_heartbeat']);
    session.dispose();
  });

  it('rejects a non-positive heartbeat interval at creation', () => {
    expect(() => setup({ heartbeatIntervalSec: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it.each([
    ['heartbeatIntervalSec', { heartbeatIntervalSec: 9_999_999 }],
    ['refreshBeforeExpirySec', { refreshBeforeExpirySec: 9_999_999 }],
    ['refreshBeforeExpirySec', { refreshBeforeExpirySec: -1 }],
  ] as const)('rejects a %s no timer can hold, naming it', (name, options) => {
    expect(() => setup(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) }),
    );
  });

  it('fails with NOT_CONNECTED once disposed', async () => {
    const { session } = setup({});
    session.dispose();
    await expect(session.restore()).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(session.subscribe(['ticker.A.100ms'])).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});

describe('DeribitSession.route', () => {
  it('turns subscription notifications into data', () => {
    const { session } = setup({});
    const data = { change_id: 2 };
    expect(session.route({ jsonrpc: '2.0', method: 'subscription', params: { channel: 'book.A.100ms', data } })).toEqual({
      kind: 'data',
      channel: 'book.A.100ms',
      data,
    });
    expect(session.route({ jsonrpc: '2.0', method: 'subscription', params: {} })).toEqual({ kind: 'unknown' });
    expect(session.route({ jsonrpc: '2.0', method: 'something_else' })).toEqual({ kind: 'unknown' });
    session.dispose();
  });

  it('answers test_request with public/test, swallows a failed answer, handles plain heartbeats', async () => {
    const warn = jest.fn();
    const { rpc, session } = setup({ heartbeatIntervalSec: 10 }, { logger: { log: jest.fn(), warn, error: jest.fn() } }, () => {
      throw new ExchangeConnectionError('DISCONNECTED', 'gone');
    });
    expect(session.route({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'heartbeat' } })).toEqual({ kind: 'handled' });
    expect(rpc.calls).toHaveLength(0);
    expect(session.route({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } })).toEqual({
      kind: 'handled',
    });
    expect(rpc.methods()).toEqual(['public/test']);
    await flush();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('public/test'), { code: 'DISCONNECTED' });
    session.dispose();
    session.route({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
    expect(rpc.calls).toHaveLength(1);
  });
});

describe('DeribitSession.beforeClose', () => {
  it('leaves cancel-on-disconnect on by default', async () => {
    const { rpc, session } = setup({ credentials, cancelOnDisconnect: true });
    await session.restore();
    await session.beforeClose();
    expect(rpc.methods()).not.toContain('private/disable_cancel_on_disconnect');
    session.dispose();
  });

  it('disables it with the same scope when configured, bounded by a timeout, never throwing', async () => {
    const { rpc, session } = setup(
      { credentials, cancelOnDisconnect: { scope: 'connection' }, disableCancelOnDisconnectOnClose: true },
      { closeTimeoutMs: 500 },
    );
    await session.restore();
    rpc.handler = () => {
      throw new ExchangeConnectionError('REQUEST_TIMEOUT', 'slow');
    };
    await expect(session.beforeClose()).resolves.toBeUndefined();
    expect(rpc.calls.at(-1)).toEqual({
      method: 'private/disable_cancel_on_disconnect',
      params: { scope: 'connection' },
      opts: { timeoutMs: 500 },
    });
    session.dispose();
  });
});

describe('DeribitSession token lifecycle', () => {
  it('reports onFatal once when refresh and re-auth fail, and dispose clears timers', async () => {
    let authCalls = 0;
    const { session, onFatal, clock } = setup({ credentials, refreshBeforeExpirySec: 100 }, {}, (method, params) => {
      if (method === 'public/auth' && authCalls++ > 0) {
        throw new ExchangeConnectionError('VENUE_ERROR', 'invalid_credentials', { venueCode: 13004 });
      }
      return defaultHandler(method, params);
    });
    await session.restore();
    expect(clock.nextDelay()).toBe(800_000);
    await clock.advance(800_000);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0]?.[0]).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    session.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('DeribitAdapter.sequenceOf', () => {
  const adapter = new DeribitAdapter();
  it('reads change_id/prev_change_id on the incremental book only', () => {
    expect(adapter.sequenceOf('book.BTC-PERPETUAL.100ms', { type: 'snapshot', change_id: 10 })).toEqual({ id: 10 });
    expect(adapter.sequenceOf('book.BTC-PERPETUAL.raw', { change_id: 11, prev_change_id: 10 })).toEqual({ id: 11, prev: 10 });
    expect(adapter.sequenceOf('book.BTC-PERPETUAL.none.10.100ms', { change_id: 11, prev_change_id: 10 })).toBeUndefined();
    expect(adapter.sequenceOf('ticker.BTC-PERPETUAL.100ms', { change_id: 1 })).toBeUndefined();
    expect(adapter.sequenceOf('book.BTC-PERPETUAL.100ms', null)).toBeUndefined();
  });
});

describe('DeribitSession: a token that died before its refresh', () => {
  it('re-authenticates once on the same socket and retries the private subscribe', async () => {
    let unauthorized = 1;
    const { rpc, session } = setup({ credentials }, {}, (method, params) => {
      if (method === 'private/subscribe' && unauthorized-- > 0) {
        throw new ExchangeConnectionError('VENUE_ERROR', 'unauthorized', { venueCode: 13009 });
      }
      return defaultHandler(method, params);
    });
    await session.restore();
    await expect(session.subscribe(['ticker.BTC-PERPETUAL.100ms', 'user.orders.BTC-PERPETUAL.raw'])).resolves.toEqual(
      expect.arrayContaining(['ticker.BTC-PERPETUAL.100ms', 'user.orders.BTC-PERPETUAL.raw']),
    );
    expect(rpc.methods()).toEqual(['public/auth', 'public/subscribe', 'private/subscribe', 'public/auth', 'private/subscribe']);
    session.dispose();
  });

  it('gives up after one re-authentication', async () => {
    const { rpc, session } = setup({ credentials }, {}, (method, params) => {
      if (method === 'private/subscribe') throw new ExchangeConnectionError('VENUE_ERROR', 'unauthorized', { venueCode: 13009 });
      return defaultHandler(method, params);
    });
    await session.restore();
    await expect(session.subscribe(['user.orders.BTC-PERPETUAL.raw'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(rpc.methods().filter((m) => m === 'public/auth')).toHaveLength(2);
    session.dispose();
  });
});
