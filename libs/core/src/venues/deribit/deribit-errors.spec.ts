import { ExchangeConnectionError } from '../../client/errors.js';
import { DeribitAdapter } from './deribit-adapter.js';
import { isDeribitFatal, isRateLimited, mapDeribitError, toDeribitError } from './deribit-errors.js';
import { DEFAULT_RATE_LIMIT_RETRY, rateLimitDelayMs, retryOnRateLimit } from './deribit-rate-limit-retry.js';
import { ManualClock } from '../../client/testing/manual-clock.js';

describe('mapDeribitError', () => {
  it.each([
    [13004, 'INVALID_CREDENTIALS', true],
    [13009, 'UNAUTHORIZED', false],
    [10028, 'RATE_LIMITED', false],
    [-32602, 'VENUE_ERROR', false],
    [11044, 'VENUE_ERROR', false],
  ] as const)('%d → %s (fatal %s)', (venueCode, code, fatal) => {
    const error = mapDeribitError(venueCode, 'venue says no', 'public/auth');
    expect(error).toBeInstanceOf(ExchangeConnectionError);
    expect(error).toMatchObject({ code, venueCode, method: 'public/auth' });
    expect(error.message).toContain('venue says no');
    expect(isDeribitFatal(error)).toBe(fatal);
  });

  it('the adapter exposes the same mapping, detached too', () => {
    const { mapError, isFatal } = new DeribitAdapter();
    const error = mapError(13004, 'invalid_credentials', 'public/auth');
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(isFatal(error)).toBe(true);
  });
});

describe('toDeribitError', () => {
  it('re-types a generic VENUE_ERROR carrying a known venue code', () => {
    const generic = new ExchangeConnectionError('VENUE_ERROR', 'too_many_requests', { venueCode: 10028 });
    const typed = toDeribitError(generic, 'public/subscribe') as ExchangeConnectionError;
    expect(typed).toMatchObject({ code: 'RATE_LIMITED', venueCode: 10028, method: 'public/subscribe' });
    expect(isRateLimited(generic)).toBe(true);
  });

  it('leaves other errors alone', () => {
    const dropped = new ExchangeConnectionError('DISCONNECTED', 'gone');
    expect(toDeribitError(dropped, 'x')).toBe(dropped);
    const other = new ExchangeConnectionError('VENUE_ERROR', 'bad', { venueCode: -32602 });
    expect(toDeribitError(other, 'x')).toBe(other);
  });
});

describe('retryOnRateLimit', () => {
  const options = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
  const limited = (): ExchangeConnectionError => mapDeribitError(10028, 'too_many_requests', 'public/subscribe');

  it('backs off exponentially (capped) and returns the first success', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = retryOnRateLimit(
      async () => {
        if (++calls < 4) throw limited();
        return 'ok';
      },
      clock,
      options,
      new AbortController().signal,
    );
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await clock.advance(0);
      delays.push(clock.nextDelay() ?? -1);
      await clock.advance(clock.nextDelay() ?? 0);
    }
    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([100, 200, 250]);
    expect(calls).toBe(4);
  });

  it('gives up after maxAttempts with the rate-limit error', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = retryOnRateLimit(
      async () => {
        calls++;
        throw limited();
      },
      clock,
      options,
      new AbortController().signal,
    );
    const settled = result.catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(await settled).toMatchObject({ code: 'RATE_LIMITED' });
    expect(calls).toBe(4);
  });

  it('never retries other errors', async () => {
    let calls = 0;
    await expect(
      retryOnRateLimit(
        async () => {
          calls++;
          throw mapDeribitError(13004, 'invalid_credentials', 'public/auth');
        },
        new ManualClock(),
        options,
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(calls).toBe(1);
  });

  it('an abort during back-off rejects and clears the timer', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const result = retryOnRateLimit(async () => Promise.reject(limited()), clock, options, abort.signal);
    const settled = result.catch((e: unknown) => e);
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    abort.abort();
    expect(await settled).toMatchObject({ code: 'NOT_CONNECTED' });
    expect(clock.pending).toBe(0);
  });

  it('default delays stay small and bounded', () => {
    const delays = [0, 1, 2, 3, 4, 10].map((n) => rateLimitDelayMs(n, DEFAULT_RATE_LIMIT_RETRY));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 2000]);
  });
});
