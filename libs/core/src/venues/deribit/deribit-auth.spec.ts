import { jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { ExchangeConnectionError } from '../../client/errors.js';
import { MAX_TIMER_MS } from '../../connection-defaults.js';
import { DeribitAuthenticator, deribitAuthParams, deribitSignature, randomNonce, refreshDelayMs } from './deribit-auth.js';
import { toDeribitError } from './deribit-errors.js';
import { ManualClock } from '../../client/testing/manual-clock.js';
import { RecordingRpc, defaultHandler } from './testing/recording-rpc.js';

const SECRET = 'super-secret-value';

describe('deribitSignature', () => {
  it('is hex HMAC-SHA256 over "timestamp\\nnonce\\ndata" keyed by the secret', () => {
    const expected = createHmac('sha256', SECRET).update('1576074319000\n1iqt2wls\n').digest('hex');
    expect(deribitSignature(SECRET, 1576074319000, '1iqt2wls', '')).toBe(expected);
    expect(deribitSignature(SECRET, 1576074319000, '1iqt2wls', '')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the data field too', () => {
    const expected = createHmac('sha256', 'k').update('1\nn\npayload').digest('hex');
    expect(deribitSignature('k', 1, 'n', 'payload')).toBe(expected);
  });
});

describe('deribitAuthParams', () => {
  it('client_credentials sends id and secret', () => {
    expect(
      deribitAuthParams({
        credentials: { kind: 'client_credentials', clientId: 'id', clientSecret: SECRET },
        now: 5,
        nonce: 'n',
      }),
    ).toEqual({ grant_type: 'client_credentials', client_id: 'id', client_secret: SECRET });
  });

  it('client_signature never sends the secret, signs timestamp/nonce/data', () => {
    const params = deribitAuthParams({
      credentials: { kind: 'client_signature', clientId: 'id', clientSecret: SECRET },
      now: 1700000000000,
      nonce: 'abc',
    });
    expect(params).toEqual({
      grant_type: 'client_signature',
      client_id: 'id',
      timestamp: 1700000000000,
      nonce: 'abc',
      data: '',
      signature: createHmac('sha256', SECRET).update('1700000000000\nabc\n').digest('hex'),
    });
    expect(JSON.stringify(params)).not.toContain(SECRET);
  });

  it('random nonces differ', () => {
    expect(randomNonce()).not.toBe(randomNonce());
  });
});

describe('refreshDelayMs', () => {
  it('defaults to 70% of expires_in', () => expect(refreshDelayMs(900)).toBe(630_000));
  it('honours refreshBeforeExpirySec', () => expect(refreshDelayMs(900, 60)).toBe(840_000));
  it('falls back to 70% when the margin is as long as the token', () => expect(refreshDelayMs(10, 10)).toBe(7_000));
  it('never refreshes before a tenth of the life, whatever the margin', () => {
    expect(refreshDelayMs(900, 899.9999)).toBe(90_000);
    expect(refreshDelayMs(1, 0.9999)).toBe(100);
  });
  it('caps a lifetime longer than a timer holds at what a timer holds', () => {
    // Deribit's docs show a year-long token; 70% of it is ~256 days, a timer holds ~24.8.
    expect(refreshDelayMs(31_536_000)).toBe(MAX_TIMER_MS);
    expect(refreshDelayMs(3.07e6)).toBe(MAX_TIMER_MS);
    expect(refreshDelayMs(1e300)).toBe(MAX_TIMER_MS);
  });
});

function authenticator(rpc: RecordingRpc, clock: ManualClock, onFatal = jest.fn(), refreshBeforeExpirySec?: number) {
  return new DeribitAuthenticator({
    credentials: { kind: 'client_credentials', clientId: 'id', clientSecret: SECRET },
    clock,
    refreshBeforeExpirySec,
    call: async (method, params) => {
      try {
        return await rpc.request(method, params());
      } catch (error) {
        throw toDeribitError(error, method);
      }
    },
    onFatal,
  });
}

describe('DeribitAuthenticator', () => {
  it('refreshes with the refresh_token at 70% of expires_in and reschedules', async () => {
    const clock = new ManualClock();
    const rpc = new RecordingRpc();
    const auth = authenticator(rpc, clock);
    await auth.authenticate();
    expect(auth.authenticated).toBe(true);
    expect(clock.nextDelay()).toBe(630_000);

    await clock.advance(629_999);
    expect(rpc.calls).toHaveLength(1);
    await clock.advance(1);
    expect(rpc.calls[1]).toMatchObject({ method: 'public/auth', params: { grant_type: 'refresh_token', refresh_token: 'rt' } });
    expect(auth.refreshCount).toBe(1);
    expect(clock.nextDelay()).toBe(630_000);
    auth.dispose();
    expect(clock.pending).toBe(0);
  });

  it('uses refreshBeforeExpirySec when given', async () => {
    const clock = new ManualClock();
    const auth = authenticator(new RecordingRpc(), clock, jest.fn(), 100);
    await auth.authenticate();
    expect(clock.nextDelay()).toBe(800_000);
    auth.dispose();
  });

  it('falls back to a full auth when the refresh is refused', async () => {
    const clock = new ManualClock();
    const rpc = new RecordingRpc((method, params) => {
      if (params?.grant_type === 'refresh_token') throw new ExchangeConnectionError('VENUE_ERROR', 'x', { venueCode: 13009 });
      return defaultHandler(method, params);
    });
    const onFatal = jest.fn();
    const auth = authenticator(rpc, clock, onFatal);
    await auth.authenticate();
    await clock.advance(630_000);
    expect(rpc.calls.map((c) => c.params?.grant_type)).toEqual(['client_credentials', 'refresh_token', 'client_credentials']);
    expect(onFatal).not.toHaveBeenCalled();
    expect(auth.authenticated).toBe(true);
    auth.dispose();
  });

  it('reports onFatal when refresh and re-auth both fail, without any secret in the error', async () => {
    const clock = new ManualClock();
    let first = true;
    const rpc = new RecordingRpc((method, params) => {
      if (first) {
        first = false;
        return defaultHandler(method, params);
      }
      throw new ExchangeConnectionError('VENUE_ERROR', 'Deribit public/auth failed: invalid_credentials (13004)', {
        venueCode: 13004,
      });
    });
    const onFatal = jest.fn();
    const auth = authenticator(rpc, clock, onFatal);
    await auth.authenticate();
    await clock.advance(630_000);
    expect(onFatal).toHaveBeenCalledTimes(1);
    const error = onFatal.mock.calls[0]?.[0] as ExchangeConnectionError;
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(`${error.message}${JSON.stringify(error)}`).not.toContain(SECRET);
    expect(auth.authenticated).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('rejects a malformed auth result without echoing it', async () => {
    const rpc = new RecordingRpc(() => ({ access_token: 'leaky-token' }));
    const auth = authenticator(rpc, new ManualClock());
    await expect(auth.authenticate()).rejects.toMatchObject({ code: 'VENUE_ERROR' });
    await auth.authenticate().catch((e: Error) => expect(e.message).not.toContain('leaky-token'));
  });

  it.each([1e-7, 0.5, 0, -900, Infinity])(
    'refuses expires_in %p as a venue error: no token, no refresh timer',
    async (expiresIn) => {
      const clock = new ManualClock();
      const rpc = new RecordingRpc(() => ({ access_token: 'at', refresh_token: 'rt', expires_in: expiresIn }));
      const auth = authenticator(rpc, clock);
      await expect(auth.authenticate()).rejects.toMatchObject({
        code: 'VENUE_ERROR',
        method: 'public/auth',
        message: expect.stringContaining('expires_in'),
      });
      expect(auth.authenticated).toBe(false);
      expect(clock.pending).toBe(0);
    },
  );

  it('a refresh answered with an absurd expires_in ends the session once (onFatal), never a refresh loop', async () => {
    const clock = new ManualClock();
    let grants = 0;
    const rpc = new RecordingRpc(() => {
      grants += 1;
      return { access_token: 'at', refresh_token: 'rt', expires_in: grants === 1 ? 900 : 1e-7 };
    });
    const onFatal = jest.fn();
    const auth = authenticator(rpc, clock, onFatal);
    await auth.authenticate();
    await clock.advance(24 * 3600 * 1000);
    // refresh_token grant, then the full auth fallback: both refused; then nothing more.
    expect(rpc.calls.map((c) => c.params?.grant_type)).toEqual(['client_credentials', 'refresh_token', 'client_credentials']);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0]?.[0]).toMatchObject({ code: 'VENUE_ERROR', method: 'public/auth' });
    expect(clock.pending).toBe(0);
  });

  it('a year-long token is accepted and refreshed when the capped timer fires, once', async () => {
    const clock = new ManualClock();
    const rpc = new RecordingRpc(() => ({ access_token: 'at', refresh_token: 'rt', expires_in: 31_536_000 }));
    const auth = authenticator(rpc, clock);
    await auth.authenticate();
    expect(clock.nextDelay()).toBe(MAX_TIMER_MS);
    await clock.advance(MAX_TIMER_MS);
    expect(rpc.calls.map((c) => c.params?.grant_type)).toEqual(['client_credentials', 'refresh_token']);
    auth.dispose();
  });

  it('dispose stops a pending refresh', async () => {
    const clock = new ManualClock();
    const rpc = new RecordingRpc();
    const auth = authenticator(rpc, clock);
    await auth.authenticate();
    auth.dispose();
    await clock.advance(10_000_000);
    expect(rpc.calls).toHaveLength(1);
    expect(auth.authenticated).toBe(false);
  });
});
