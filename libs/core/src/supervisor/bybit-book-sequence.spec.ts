import { SequenceTracker } from './sequence-tracker.js';
import { bybitBookSequence, markRestartSnapshot, UNREADABLE_BOOK } from '../venues/bybit/bybit-book.js';

const TOPIC = 'orderbook.50.BTCUSDT';
const snapshot = (u: number) => ({ topic: TOPIC, type: 'snapshot', data: { s: 'BTCUSDT', b: [], a: [], u } });
const delta = (u: number) => ({ topic: TOPIC, type: 'delta', data: { s: 'BTCUSDT', b: [], a: [], u } });

/** Runs messages through the rules as the supervisor does; returns what was delivered, the gaps and the drops. */
function run(messages: unknown[]): { delivered: number[]; gaps: number; skipped: number } {
  const tracker = new SequenceTracker();
  const delivered: number[] = [];
  let gaps = 0;
  let skipped = 0;
  for (const message of messages) {
    markRestartSnapshot(message);
    const seq = bybitBookSequence(message);
    const verdict = tracker.check(TOPIC, seq);
    if (verdict.kind === 'ok') delivered.push(seq.id);
    else if (verdict.kind === 'skip') skipped += 1;
    else gaps += 1; // the supervisor resubscribes; the tracker waits for the next snapshot
  }
  return { delivered, gaps, skipped };
}

describe('Bybit book continuity (through the supervisor sequence tracker)', () => {
  it('delivers a snapshot then consecutive deltas', () => {
    expect(run([snapshot(10), delta(11), delta(12), delta(13)])).toEqual({ delivered: [10, 11, 12, 13], gaps: 0, skipped: 0 });
  });

  it('drops deltas that arrive before the snapshot', () => {
    expect(run([delta(9), delta(10), snapshot(10), delta(11)])).toEqual({ delivered: [10, 11], gaps: 0, skipped: 2 });
  });

  it('lets a new snapshot reset the book, even at the same or a lower u (level 1 repeats its u)', () => {
    expect(run([snapshot(10), delta(11), snapshot(11), snapshot(5), delta(6)]).delivered).toEqual([10, 11, 11, 5, 6]);
  });

  it('treats u == 1 as a restart snapshot, and marks it as one for consumers', () => {
    const restart = delta(1);
    expect(run([snapshot(500), delta(501), restart, delta(2)])).toEqual({ delivered: [500, 501, 1, 2], gaps: 0, skipped: 0 });
    expect(restart.type).toBe('snapshot');
  });

  it.each([
    ['a skipped u', [snapshot(10), delta(11), delta(13), delta(14), snapshot(20), delta(21)]],
    ['a repeated u', [snapshot(10), delta(11), delta(11), delta(12), snapshot(20), delta(21)]],
    ['an older u', [snapshot(10), delta(11), delta(7), delta(12), snapshot(20), delta(21)]],
  ])('doubts %s, and delivers nothing until the next snapshot', (_name, messages) => {
    expect(run(messages)).toEqual({ delivered: [10, 11, 20, 21], gaps: 1, skipped: 1 });
  });

  it.each([
    null,
    'text',
    { type: 'delta' },
    { type: 'delta', data: null },
    { type: 'delta', data: { u: '12' } },
    { type: 'delta', data: { u: 0 } },
    { type: 'delta', data: { u: 1.5 } },
    { type: 'partial', data: { u: 12 } },
    // u == 1 restarts only a snapshot or a delta: with any other type (or none) it is not a book message.
    { type: 'partial', data: { u: 1 } },
    { data: { u: 1 } },
  ])('doubts an unreadable book message %p', (message) => {
    expect(bybitBookSequence(message)).toBe(UNREADABLE_BOOK);
    expect(run([snapshot(10), message]).gaps).toBe(1);
    expect(run([message, snapshot(10)])).toEqual({ delivered: [10], gaps: 0, skipped: 1 });
  });

  it('leaves other messages alone when marking restarts', () => {
    const normal = delta(2);
    markRestartSnapshot(normal);
    markRestartSnapshot(null);
    expect(normal.type).toBe('delta');
  });
});
