import { encodeFrame } from './frame-encoder.js';

describe('encodeFrame', () => {
  it('serialises to UTF-8 bytes once', () => {
    const result = encodeFrame({ type: 'data', channel: 'c', data: { p: 'é' } }, 1_000);
    expect(result.ok && result.bytes.toString('utf8')).toBe('{"type":"data","channel":"c","data":{"p":"é"}}');
  });

  it('drops, never throws, on data nested deeper than the stack', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(encodeFrame({ type: 'data', data: deep }, 10_000_000)).toEqual({ ok: false, reason: 'unserialisable' });
  });

  it('drops what JSON cannot hold', () => {
    expect(encodeFrame({ n: 1n }, 100)).toEqual({ ok: false, reason: 'unserialisable' });
    expect(encodeFrame(undefined, 100)).toEqual({ ok: false, reason: 'unserialisable' });
  });

  it('drops frames above the cap, counting bytes, not characters', () => {
    expect(encodeFrame('x'.repeat(98), 100)).toMatchObject({ ok: true });
    expect(encodeFrame('x'.repeat(99), 100)).toEqual({ ok: false, reason: 'too_large' });
    // 40 characters, 80 bytes, + 2 quotes.
    expect(encodeFrame('é'.repeat(40), 81)).toEqual({ ok: false, reason: 'too_large' });
    expect(encodeFrame('é'.repeat(40), 82)).toMatchObject({ ok: true });
  });
});
