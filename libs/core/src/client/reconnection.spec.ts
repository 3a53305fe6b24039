import { ExchangeConnectionError } from './errors.js';
import { buildSocketOptions, calculateBackoff, maxRetriesExceeded, shouldReconnect } from './reconnection.js';
import { closeCodeError, toConnectionError, upgradeRejected } from './error-classification.js';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe('calculateBackoff (seed examples)', () => {
  it.each([
    [0, 1000, undefined, 1000],
    [1, 1000, undefined, 2000],
    [5, 1000, 30000, 30000],
    [2, 500, 30000, 2000],
    [4, 1000, 30000, 16000],
  ])('(%p, %p, %p) → %p', (attempt, base, cap, expected) => {
    expect(calculateBackoff(attempt, base, cap)).toBe(expected);
  });

  it('never returns Infinity or NaN for huge or odd attempts', () => {
    for (const attempt of [1023, 1024, 5000, Number.MAX_SAFE_INTEGER, Infinity, NaN, -1]) {
      const value = calculateBackoff(attempt, 1000, 30000);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeLessThanOrEqual(30000);
    }
    expect(calculateBackoff(Infinity, 1000)).toBe(30000);
    expect(calculateBackoff(-3, 1000)).toBe(1000);
  });
});

describe('maxRetriesExceeded', () => {
  it('is true once attempt reaches maxRetries', () => {
    expect(maxRetriesExceeded(0, 3)).toBe(false);
    expect(maxRetriesExceeded(2, 3)).toBe(false);
    expect(maxRetriesExceeded(3, 3)).toBe(true);
    expect(maxRetriesExceeded(4, 3)).toBe(true);
    expect(maxRetriesExceeded(0, 0)).toBe(true);
  });
});

describe('shouldReconnect', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])(
    'retries network fault %s',
    (code) => {
      expect(shouldReconnect(systemError(code))).toBe(true);
      expect(shouldReconnect(code)).toBe(true);
    },
  );

  it.each([1000, 1001, 1006, 1011, 1012, 1013, 1009])('retries a close %p the user did not ask for', (code) => {
    expect(shouldReconnect(code)).toBe(true);
    expect(shouldReconnect(closeCodeError(code))).toBe(true);
  });

  it('classifies an oversize frame as PAYLOAD_TOO_LARGE, retryable', () => {
    const error = closeCodeError(
      1006,
      '',
      Object.assign(new RangeError('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
    );
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(shouldReconnect(error)).toBe(true);
  });

  it('retries heartbeat timeouts and upgrade 5xx/429', () => {
    expect(shouldReconnect(new ExchangeConnectionError('HEARTBEAT_TIMEOUT', 'silent'))).toBe(true);
    for (const status of [500, 502, 503, 504, 429]) expect(shouldReconnect(upgradeRejected(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 410])('does not retry upgrade %p', (status) => {
    expect(shouldReconnect(upgradeRejected(status))).toBe(false);
    expect(shouldReconnect(new Error(`Unexpected server response: ${status}`))).toBe(false);
  });

  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('does not retry TLS trust failure %s', (code) => {
    expect(shouldReconnect(systemError(code))).toBe(false);
    expect(toConnectionError(systemError(code)).code).toBe('TLS_UNTRUSTED');
  });

  it.each(['INVALID_CREDENTIALS', 'CLOSED_BY_USER', 'INVALID_CONFIG', 'MAX_RETRIES_EXCEEDED'] as const)(
    'does not retry %s',
    (code) => {
      expect(shouldReconnect(new ExchangeConnectionError(code, code))).toBe(false);
      expect(shouldReconnect(code)).toBe(false);
    },
  );

  it('keeps the system code and never the frame in a classified error', () => {
    const error = toConnectionError(systemError('ECONNRESET'));
    expect(error).toMatchObject({ code: 'CONNECT_FAILED', systemCode: 'ECONNRESET' });
  });
});

describe('buildSocketOptions', () => {
  it('offers only http/1.1 over ALPN for wss and keeps verification on', () => {
    expect(buildSocketOptions('wss://www.deribit.com/ws/api/v2')).toEqual({
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: true,
    });
  });

  it('adds a CA without turning verification off', () => {
    expect(buildSocketOptions('wss://localhost:1/ws', { ca: 'PEM' })).toEqual({
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: true,
      ca: 'PEM',
    });
  });

  it('has no TLS options for ws', () => {
    expect(buildSocketOptions('ws://127.0.0.1:1/ws/api/v2', { ca: 'PEM' })).toEqual({});
  });

  it.each(['http://x', 'not a url', '', 'ftp://x/y'])('rejects %p with INVALID_CONFIG without echoing it', (url) => {
    expect(() => buildSocketOptions(url)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('does not echo a URL that may carry a token', () => {
    try {
      buildSocketOptions('::secret-token::');
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-token');
    }
  });
});
