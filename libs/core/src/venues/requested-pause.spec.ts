import { jest } from '@jest/globals';
import type { ClientLogger } from '../client/client-types.js';
import { ExchangeConnectionError } from '../client/errors.js';
import { ManualClock } from '../client/testing/manual-clock.js';
import { RequestedPause } from './requested-pause.js';

const banned = (retryAfterMs: number): ExchangeConnectionError =>
  new ExchangeConnectionError('RATE_LIMITED', 'Binance GET /api/v3/depth failed: IP banned', {
    httpStatus: 418,
    method: 'GET /api/v3/depth',
    retryAfterMs,
  });

describe('RequestedPause', () => {
  let clock: ManualClock;
  let warnings: string[];
  let pause: RequestedPause;
  const logger: ClientLogger = { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };

  beforeEach(() => {
    clock = new ManualClock();
    warnings = [];
    pause = new RequestedPause('Binance spot (api.binance.com)', clock);
  });

  it('runs at once when no pause is in force; a failure stating a wait holds every later call until it ends', async () => {
    const calls: number[] = [];
    const call = jest.fn(async () => {
      calls.push(clock.now());
      return 'ok';
    });
    const signal = new AbortController().signal;
    await expect(pause.run(call, signal, 'test')).resolves.toBe('ok');
    await expect(pause.run(() => Promise.reject(banned(120_000)), signal, 'test', logger)).rejects.toMatchObject({
      retryAfterMs: 120_000,
    });
    expect(pause.remainingMs).toBe(120_000);
    expect(warnings).toEqual([
      'Binance spot (api.binance.com) asked for no request for 120 s; every request to these limits waits',
    ]);
    const later = pause.run(call, signal, 'test');
    await clock.advance(119_999);
    expect(call).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    await expect(later).resolves.toBe('ok');
    expect(calls).toEqual([1_700_000_000_000, 1_700_000_120_000]);
    expect(clock.pending).toBe(0);
  });

  it('a pause lengthened while a call waits holds it to the new end; a shorter one changes nothing', async () => {
    const signal = new AbortController().signal;
    pause.note(banned(1_000), logger);
    const call = jest.fn(async () => 'ok');
    const waiting = pause.run(call, signal, 'test');
    await clock.advance(500);
    pause.note(banned(2_000), logger);
    pause.note(banned(10), logger);
    await clock.advance(1_000);
    expect(call).not.toHaveBeenCalled();
    await clock.advance(1_500);
    await expect(waiting).resolves.toBe('ok');
    expect(warnings).toHaveLength(2);
  });

  it('ignores failures that state no wait (a 429 without Retry-After, a socket error)', () => {
    pause.note(new ExchangeConnectionError('RATE_LIMITED', 'slow down'));
    pause.note(new ExchangeConnectionError('VENUE_ERROR', 'x', { retryAfterMs: 5_000 }));
    pause.note(new Error('boom'));
    expect(pause.remainingMs).toBe(0);
  });

  it('the session’s end stops the wait with NOT_CONNECTED and leaves no timer; the call is never made', async () => {
    const abort = new AbortController();
    pause.note(banned(60_000));
    const call = jest.fn(async () => 'ok');
    const waiting = pause.run(call, abort.signal, 'Binance session');
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(call).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });
});
