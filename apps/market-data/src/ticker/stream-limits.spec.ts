import { ExchangeConnectionError } from '@exchange-connection/core';
import { DEFAULT_STREAM_LIMITS, resolveStreamLimits } from './stream-limits.js';

describe('resolveStreamLimits', () => {
  it('overlays the defaults', () => {
    expect(resolveStreamLimits()).toEqual(DEFAULT_STREAM_LIMITS);
    expect(resolveStreamLimits({ upstreamLingerMs: 0 }).upstreamLingerMs).toBe(0);
  });

  it.each<[string, Record<string, number>]>([
    ['a negative linger', { upstreamLingerMs: -1 }],
    ['a timeout no timer can hold', { slowClientTimeoutMs: 2 ** 31 }],
    ['a frame cap above the buffer bound', { maxFrameBytes: 2 * 1024 * 1024 }],
    ['a message cap above the hard payload limit', { maxMessageBytes: 70_000 }],
    ['NaN', { upstreamChangesPerSec: Number.NaN }],
    ['a zero burst', { upstreamChangeBurst: 0 }],
  ])('refuses %s, naming it', (_name, overrides) => {
    const key = Object.keys(overrides)[0]!;
    expect(() => resolveStreamLimits(overrides)).toThrow(ExchangeConnectionError);
    expect(() => resolveStreamLimits(overrides)).toThrow(new RegExp(`stream\\.${key}`));
  });
});
