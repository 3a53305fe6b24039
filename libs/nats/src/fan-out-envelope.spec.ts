import fc from 'fast-check';
import { parseEnvelope, sequenceVerdict } from './fan-out-envelope.js';
import { connectionSubjects, decodeSubjectToken, encodeSubjectToken, leaseKey } from './subject-names.js';

describe('sequenceVerdict: what one fan-out message means for a receiver', () => {
  it('starts a stream at the first message, or at a newer owner', () => {
    expect(sequenceVerdict(undefined, 5, 17)).toBe('first');
    expect(sequenceVerdict({ epoch: 5, seq: 40 }, 9, 1)).toBe('first');
  });

  it('accepts the next, flags a hole, drops duplicates and a replaced owner’s late messages', () => {
    expect(sequenceVerdict({ epoch: 5, seq: 40 }, 5, 41)).toBe('next');
    expect(sequenceVerdict({ epoch: 5, seq: 40 }, 5, 43)).toBe('gap');
    expect(sequenceVerdict({ epoch: 5, seq: 40 }, 5, 40)).toBe('stale');
    expect(sequenceVerdict({ epoch: 5, seq: 40 }, 5, 12)).toBe('stale');
    expect(sequenceVerdict({ epoch: 9, seq: 3 }, 5, 41)).toBe('stale');
  });

  it('a stream replayed with losses and duplicates delivers each sequence number at most once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 200 }), (arrivals) => {
        let track: { epoch: number; seq: number } | undefined;
        const delivered: number[] = [];
        for (const seq of arrivals) {
          const verdict = sequenceVerdict(track, 1, seq);
          if (verdict === 'stale') continue;
          track = { epoch: 1, seq };
          delivered.push(seq);
        }
        expect(delivered).toEqual([...new Set(delivered)].sort((a, b) => a - b));
      }),
    );
  });
});

describe('subject names', () => {
  it('encodes any channel name as one NATS token, reversibly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (name) => {
        const token = encodeSubjectToken(name);
        expect(token).toMatch(/^[A-Za-z0-9_~-]+$/);
        expect(decodeSubjectToken(token)).toBe(name);
      }),
    );
  });

  it('keeps venue channel names readable and distinct', () => {
    expect(encodeSubjectToken('book.BTC-PERPETUAL.100ms')).toBe('book~2EBTC-PERPETUAL~2E100ms');
    expect(encodeSubjectToken('a.b')).not.toBe(encodeSubjectToken('a~2Eb'));
    const subjects = connectionSubjects('exchange', 'deribit');
    expect(subjects.channel('ticker.BTC-PERPETUAL.raw')).toBe('exchange.deribit.ch.ticker~2EBTC-PERPETUAL~2Eraw');
    expect(subjects.rpc(812)).toBe('exchange.deribit.rpc.812');
    expect(leaseKey('deribit.main')).toBe('deribit=2Emain');
  });

  it('refuses tokens it cannot have written', () => {
    expect(decodeSubjectToken('a.b')).toBeUndefined();
    expect(decodeSubjectToken('~zz')).toBeUndefined();
    expect(parseEnvelope(new TextEncoder().encode('{"e":1}'))).toBeUndefined();
    expect(parseEnvelope(new TextEncoder().encode('not json'))).toBeUndefined();
  });
});
