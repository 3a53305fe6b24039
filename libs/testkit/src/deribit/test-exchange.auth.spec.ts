import { useExchangeTestbed } from '../../../../test/support/exchange-testbed.js';
import { signClientSignature } from './auth-service.js';
import { TestExchange } from './test-exchange.js';
import { RpcTestClient } from './rpc-test-client.js';

describe('TestExchange auth and private methods', () => {
  let clock = 1_700_000_000_000;
  beforeEach(() => {
    clock = 1_700_000_000_000;
  });
  const testbed = useExchangeTestbed(() => ({
    feedIntervalMs: 0,
    tokenTtlSec: 60,
    now: () => clock,
    accounts: [
      { clientId: 'test-client', clientSecret: 'test-secret' },
      { clientId: 'reader', clientSecret: 'reader-secret', scope: 'connection account:read' },
    ],
  }));
  const { connect } = testbed;

  it('client_credentials returns every required field and binds the session', async () => {
    const client = await connect();
    const grant = await client.auth();
    expect(grant).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 60,
      refresh_token: expect.any(String),
      scope: expect.stringContaining('connection'),
      enabled_features: [],
    });
    expect(testbed.exchange.connections()[0]).toMatchObject({ authenticated: true, clientId: 'test-client' });
    await expect(client.call('private/get_cancel_on_disconnect')).resolves.toEqual({ scope: 'connection', enabled: false });
    expect(testbed.exchange.counters.auth).toBe(1);
  });

  it('uses the account scope, or the requested one', async () => {
    const client = await connect();
    const grant = await client.auth('reader', 'reader-secret');
    expect(grant.scope).toBe('connection account:read');
    const scoped = await client.call<{ scope: string }>('public/auth', {
      grant_type: 'client_credentials',
      client_id: 'test-client',
      client_secret: 'test-secret',
      scope: 'session:abc trade:read',
    });
    expect(scoped.scope).toBe('session:abc trade:read');
  });

  it('wrong secret or unknown client → 13004 invalid_credentials', async () => {
    const client = await connect();
    const wrong = await client.request('public/auth', {
      grant_type: 'client_credentials',
      client_id: 'test-client',
      client_secret: 'nope',
    });
    expect(wrong.error).toEqual({ code: 13004, message: 'invalid_credentials' });
    const unknown = await client.request('public/auth', {
      grant_type: 'client_credentials',
      client_id: 'who',
      client_secret: 'x',
    });
    expect(unknown.error?.code).toBe(13004);
    expect(testbed.exchange.counters.authFailures).toBe(2);
    expect(JSON.stringify(wrong)).not.toContain('nope');
  });

  it('bad grant_type or missing fields → -32602', async () => {
    const client = await connect();
    const bad = await client.request('public/auth', { grant_type: 'password' });
    expect(bad.error).toMatchObject({ code: -32602, message: 'Invalid params', data: { param: 'grant_type' } });
    const missing = await client.request('public/auth', { grant_type: 'client_credentials', client_id: 'test-client' });
    expect(missing.error).toMatchObject({ code: -32602, data: { param: 'client_secret', reason: 'required' } });
  });

  it('client_signature: verifies HMAC-SHA256 over timestamp\\nnonce\\ndata', async () => {
    const client = await connect();
    const timestamp = clock;
    const signature = signClientSignature('test-secret', timestamp, 'n0nce', 'payload');
    const grant = await client.call<{ access_token: string }>('public/auth', {
      grant_type: 'client_signature',
      client_id: 'test-client',
      timestamp,
      nonce: 'n0nce',
      data: 'payload',
      signature,
    });
    expect(grant.access_token).toEqual(expect.any(String));
    const tampered = await client.request('public/auth', {
      grant_type: 'client_signature',
      client_id: 'test-client',
      timestamp,
      nonce: 'other',
      data: 'payload',
      signature,
    });
    expect(tampered.error).toEqual({ code: 13004, message: 'invalid_credentials' });
  });

  it('client_signature: a stale timestamp → 13009', async () => {
    const client = await connect();
    const timestamp = clock - 61_000;
    const response = await client.request('public/auth', {
      grant_type: 'client_signature',
      client_id: 'test-client',
      timestamp,
      nonce: 'n',
      data: '',
      signature: signClientSignature('test-secret', timestamp, 'n', ''),
    });
    expect(response.error).toMatchObject({ code: 13009, message: 'unauthorized', data: { reason: 'timestamp_out_of_range' } });
  });

  it('refresh_token issues a new pair; the used refresh token is spent', async () => {
    const client = await connect();
    const first = await client.auth();
    const refreshed = await client.call<{ access_token: string; refresh_token: string }>('public/auth', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(testbed.exchange.counters.refresh).toBe(1);
    const reused = await client.request('public/auth', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reused.error?.code).toBe(13009);
  });

  it('private methods without a token → 13009 unauthorized', async () => {
    const client = await connect();
    const response = await client.request('private/enable_cancel_on_disconnect');
    expect(response.error).toEqual({
      code: 13009,
      message: 'unauthorized',
      data: { reason: 'missing_token', param: 'access_token' },
    });
    const bogus = await client.request('private/get_cancel_on_disconnect', { access_token: 'bogus' });
    expect(bogus.error).toMatchObject({ code: 13009, data: { reason: 'invalid_token' } });
  });

  it('private methods accept params.access_token on an unauthenticated socket', async () => {
    const authClient = await connect();
    const { access_token } = await authClient.auth();
    const other = await connect();
    await expect(other.call('private/get_cancel_on_disconnect', { access_token })).resolves.toEqual({
      scope: 'connection',
      enabled: false,
    });
  });

  it('tokens expire after expires_in (injected clock) and on expireTokens(); refresh still works', async () => {
    const client = await connect();
    const grant = await client.auth();
    clock += 61_000;
    expect((await client.request('private/get_cancel_on_disconnect')).error?.code).toBe(13009);
    expect(testbed.exchange.connections()[0]?.authenticated).toBe(false);
    const again = await client.call<{ refresh_token: string }>('public/auth', {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh_token,
    });
    await expect(client.call('private/get_cancel_on_disconnect')).resolves.toBeDefined();
    testbed.exchange.expireTokens();
    expect((await client.request('private/get_cancel_on_disconnect')).error?.code).toBe(13009);
    await client.call('public/auth', { grant_type: 'refresh_token', refresh_token: again.refresh_token });
    await expect(client.call('private/get_cancel_on_disconnect')).resolves.toBeDefined();
  });

  it('setRejectAuth makes every grant fail with 13004, until switched off', async () => {
    const client = await connect();
    const grant = await client.auth();
    testbed.exchange.setRejectAuth(true);
    expect(
      (
        await client.request('public/auth', {
          grant_type: 'client_credentials',
          client_id: 'test-client',
          client_secret: 'test-secret',
        })
      ).error?.code,
    ).toBe(13004);
    expect(
      (await client.request('public/auth', { grant_type: 'refresh_token', refresh_token: grant.refresh_token })).error?.code,
    ).toBe(13004);
    testbed.exchange.setRejectAuth(false);
    await expect(client.auth()).resolves.toBeDefined();
  });

  describe('cancel on disconnect', () => {
    it('enable/get/disable per connection and per account', async () => {
      const client = await connect();
      await client.auth();
      expect(await client.call('private/enable_cancel_on_disconnect')).toBe('ok');
      expect(await client.call('private/get_cancel_on_disconnect')).toEqual({ scope: 'connection', enabled: true });
      expect(await client.call('private/get_cancel_on_disconnect', { scope: 'account' })).toEqual({
        scope: 'account',
        enabled: false,
      });
      expect(await client.call('private/disable_cancel_on_disconnect', { scope: 'connection' })).toBe('ok');
      expect(await client.call('private/get_cancel_on_disconnect')).toEqual({ scope: 'connection', enabled: false });
      await client.call('private/enable_cancel_on_disconnect', { scope: 'account' });
      expect(testbed.exchange.connections()[0]?.cancelOnDisconnect).toEqual({ enabled: true, scope: 'account' });
      const badScope = await client.request('private/enable_cancel_on_disconnect', { scope: 'galaxy' });
      expect(badScope.error).toMatchObject({ code: -32602, data: { param: 'scope' } });
      expect(testbed.exchange.counters.enableCancelOnDisconnect).toBe(2);
      expect(testbed.exchange.counters.disableCancelOnDisconnect).toBe(1);
    });

    it('records a firing when a socket with it enabled closes, none otherwise', async () => {
      const withCod = await connect();
      await withCod.auth();
      await withCod.call('private/enable_cancel_on_disconnect');
      await withCod.call('private/subscribe', { channels: ['user.orders.BTC-PERPETUAL.raw'] });
      testbed.exchange.publish('user.orders.BTC-PERPETUAL.raw', 1);
      await withCod.waitForNotifications('user.orders.BTC-PERPETUAL.raw', 1);
      const without = await connect();
      await without.auth();
      const id = testbed.exchange.connections()[0]?.id;
      await withCod.close();
      await without.close();
      await testbed.exchange.waitFor(() => testbed.exchange.connections().length === 0);
      expect(testbed.exchange.cancelOnDisconnectFirings).toEqual([
        { connectionId: id, clientId: 'test-client', scope: 'connection', at: clock, wouldCancel: 1 },
      ]);
    });
  });
});

describe('TestExchange memory bounds', () => {
  it('keeps only the newest requestLogLimit cancel-on-disconnect firings', async () => {
    const exchange = await TestExchange.start({ feedIntervalMs: 0, requestLogLimit: 2 });
    try {
      for (let i = 0; i < 3; i++) {
        const client = await RpcTestClient.connect(exchange.url);
        await client.auth();
        await client.call('private/enable_cancel_on_disconnect');
        await client.close();
        await exchange.waitFor(() => exchange.connections().length === 0);
      }
      expect(exchange.cancelOnDisconnectFirings).toHaveLength(2);
      expect(exchange.cancelOnDisconnectFirings.map((f) => f.connectionId)).toEqual([2, 3]);
    } finally {
      await exchange.stop();
    }
  });
});
