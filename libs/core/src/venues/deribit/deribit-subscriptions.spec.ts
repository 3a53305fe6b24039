import { jest } from '@jest/globals';
import fc from 'fast-check';
import { isDeribitPrivateChannel } from './deribit-channels.js';
import { DeribitAdapter } from './deribit-adapter.js';
import { planSubscriptionCalls, runSubscriptionCalls } from './deribit-subscriptions.js';
import { RecordingRpc } from './testing/recording-rpc.js';

const tickers = (n: number): string[] => Array.from({ length: n }, (_, i) => `ticker.I${i}-PERPETUAL.100ms`);

describe('planSubscriptionCalls', () => {
  it('500 public channels in 3 calls of at most 200', () => {
    const calls = planSubscriptionCalls('subscribe', tickers(500), isDeribitPrivateChannel, 200);
    expect(calls.map((c) => [c.method, c.channels.length])).toEqual([
      ['public/subscribe', 200],
      ['public/subscribe', 200],
      ['public/subscribe', 100],
    ]);
  });

  it('splits public and private and de-duplicates', () => {
    const calls = planSubscriptionCalls(
      'unsubscribe',
      ['ticker.A.100ms', 'user.portfolio.BTC', 'ticker.A.100ms', 'book.A.raw'],
      isDeribitPrivateChannel,
      200,
    );
    expect(calls).toEqual([
      { method: 'public/unsubscribe', channels: ['ticker.A.100ms'] },
      { method: 'private/unsubscribe', channels: ['user.portfolio.BTC', 'book.A.raw'] },
    ]);
  });

  it('property: every channel lands in exactly one call of its side, each call within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('user.portfolio.X', 'book.A.raw'), fc.string({ minLength: 1, maxLength: 6 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 50 }),
        (channels, max) => {
          const calls = planSubscriptionCalls('subscribe', channels, isDeribitPrivateChannel, max);
          const flat = calls.flatMap((c) => c.channels);
          expect(new Set(flat)).toEqual(new Set(channels));
          expect(flat).toHaveLength(new Set(channels).size);
          for (const call of calls) {
            expect(call.channels.length).toBeLessThanOrEqual(max);
            for (const c of call.channels) expect(call.method.startsWith('private/')).toBe(isDeribitPrivateChannel(c));
          }
          const perSide = (side: string) => calls.filter((c) => c.method.startsWith(side)).length;
          const priv = new Set(channels.filter(isDeribitPrivateChannel)).size;
          expect(perSide('private/')).toBe(Math.ceil(priv / max));
          expect(perSide('public/')).toBe(Math.ceil((new Set(channels).size - priv) / max));
        },
      ),
    );
  });
});

describe('runSubscriptionCalls', () => {
  it('returns the union of confirmed channels', async () => {
    const result = await runSubscriptionCalls(
      [
        { method: 'public/subscribe', channels: ['a', 'b'] },
        { method: 'public/subscribe', channels: ['c'] },
      ],
      async (_m, params) => (params.channels as string[]).filter((c) => c !== 'b'),
    );
    expect(result).toEqual(['a', 'c']);
  });
});

describe('DeribitSession.subscribe (recording rpc)', () => {
  it('honours maxChannelsPerCall and calls one chunk at a time', async () => {
    const rpc = new RecordingRpc();
    const session = new DeribitAdapter({ maxChannelsPerCall: 150 }).createSession(rpc, {}, jest.fn());
    const subscribed = await session.subscribe(tickers(500));
    expect(subscribed).toHaveLength(500);
    expect(rpc.calls.map((c) => (c.params?.channels as string[]).length)).toEqual([150, 150, 150, 50]);
    session.dispose();
  });

  it('leaves private channels out without an authenticated session, and still subscribes the public ones', async () => {
    const rpc = new RecordingRpc();
    const session = new DeribitAdapter().createSession(rpc, {}, jest.fn());
    await expect(session.subscribe(['ticker.A.100ms', 'user.portfolio.BTC'])).resolves.toEqual(['ticker.A.100ms']);
    expect(rpc.methods()).toEqual(['public/subscribe']);
    session.dispose();
  });

  it('rejects a bad maxChannelsPerCall', () => {
    expect(() => new DeribitAdapter({ maxChannelsPerCall: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it.each([
    ['rateLimitRetry.baseDelayMs', { rateLimitRetry: { baseDelayMs: 9_999_999_999 } }],
    ['rateLimitRetry.maxDelayMs', { rateLimitRetry: { maxDelayMs: -1 } }],
    ['rateLimitRetry.maxAttempts', { rateLimitRetry: { maxAttempts: 0 } }],
    ['closeTimeoutMs', { closeTimeoutMs: 9_999_999_999 }],
    ['frameLimits.maxDepth', { frameLimits: { maxDepth: 1 } }],
  ] as const)('rejects a bad %s, naming it', (name, options) => {
    expect(() => new DeribitAdapter(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) }),
    );
  });

  it('supplies its frame limits to the clients built for it', () => {
    expect(new DeribitAdapter().frameLimits).toEqual({ maxDepth: 128, maxBytes: 8 * 1024 * 1024 });
    expect(new DeribitAdapter({ frameLimits: { maxBytes: 1024 } }).frameLimits).toEqual({ maxDepth: 128, maxBytes: 1024 });
  });
});
