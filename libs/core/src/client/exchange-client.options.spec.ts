import { MAX_TIMER_MS } from '../connection-defaults.js';
import type { ExchangeClientOptions } from './client-types.js';
import { ExchangeClient } from './exchange-client.js';

const URL = 'ws://127.0.0.1:1/ws/api/v2';
const TOO_LONG = 9_999_999_999; // ~115 days: a Node timer would fire it after 1 ms

/** Options whose bad values the constructor must refuse, naming them. Nothing is opened. */
const BAD: Array<[string, Partial<ExchangeClientOptions>]> = [
  ['baseDelayMs', { baseDelayMs: TOO_LONG }],
  ['baseDelayMs', { baseDelayMs: -1 }],
  ['maxBackoffMs', { maxBackoffMs: TOO_LONG }],
  ['connectTimeoutMs', { connectTimeoutMs: TOO_LONG }],
  ['connectTimeoutMs', { connectTimeoutMs: 0 }],
  ['requestTimeoutMs', { requestTimeoutMs: TOO_LONG }],
  ['requestTimeoutMs', { requestTimeoutMs: Number.NaN }],
  ['closeTimeoutMs', { closeTimeoutMs: TOO_LONG }],
  ['heartbeat.intervalMs', { heartbeat: { intervalMs: TOO_LONG, timeoutMs: TOO_LONG } }],
  ['heartbeat.timeoutMs', { heartbeat: { intervalMs: 1_000, timeoutMs: TOO_LONG } }],
  ['heartbeat.timeoutMs', { heartbeat: { intervalMs: 1_000, timeoutMs: 1_000 } }],
  ['maxRetries', { maxRetries: 1.5 }],
  ['maxPayload', { maxPayload: 0 }],
  ['frameLimits.maxDepth', { frameLimits: { maxDepth: 0 } }],
  ['frameLimits.maxBytes', { frameLimits: { maxBytes: -1 } }],
];

describe('ExchangeClient options', () => {
  it.each(BAD)('refuses a bad %s with INVALID_CONFIG naming it', (name, overrides) => {
    expect(() => new ExchangeClient({ url: URL, ...overrides })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) }),
    );
  });

  it('accepts the largest duration a timer holds', () => {
    expect(
      () =>
        new ExchangeClient({
          url: URL,
          requestTimeoutMs: MAX_TIMER_MS,
          connectTimeoutMs: MAX_TIMER_MS,
          maxBackoffMs: MAX_TIMER_MS,
          heartbeat: { intervalMs: MAX_TIMER_MS - 1, timeoutMs: MAX_TIMER_MS },
        }),
    ).not.toThrow();
  });

  it('refuses a per-request timeout a timer cannot hold, whatever the state', async () => {
    const client = new ExchangeClient({ url: URL });
    await expect(client.request('public/test', {}, { timeoutMs: TOO_LONG })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      method: 'public/test',
    });
    await expect(client.request('public/test', {}, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(client.request('public/test', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});
