import { bybitBookMark, checkBybitBook, markRestartSnapshot, type BybitBookMark } from './bybit-book.js';

const snapshot = (u: number) => ({ topic: 'orderbook.50.BTCUSDT', type: 'snapshot', data: { s: 'BTCUSDT', b: [], a: [], u } });
const delta = (u: number) => ({ topic: 'orderbook.50.BTCUSDT', type: 'delta', data: { s: 'BTCUSDT', b: [], a: [], u } });

/** Runs messages through the rules as a session would; returns what was delivered and the doubts. */
function run(messages: unknown[]): { delivered: number[]; doubts: number; skipped: number } {
  let last: number | undefined;
  const delivered: number[] = [];
  let doubts = 0;
  let skipped = 0;
  for (const message of messages) {
    markRestartSnapshot(message);
    const verdict = checkBybitBook(last, bybitBookMark(message));
    if (verdict.kind === 'deliver') {
      last = verdict.u;
      delivered.push(verdict.u);
    } else if (verdict.kind === 'skip') skipped += 1;
    else {
      doubts += 1;
      last = undefined; // resubscribed: wait for the next snapshot
    }
  }
  return { delivered, doubts, skipped };
}

describe('Bybit book continuity', () => {
  it('delivers a snapshot then rising deltas', () => {
    expect(run([snapshot(10), delta(11), delta(12), delta(15)])).toEqual({ delivered: [10, 11, 12, 15], doubts: 0, skipped: 0 });
  });

  it('drops deltas that arrive before the snapshot', () => {
    expect(run([delta(9), delta(10), snapshot(10), delta(11)])).toEqual({ delivered: [10, 11], doubts: 0, skipped: 2 });
  });

  it('lets a new snapshot reset the book, even at a lower u (level 1 repeats its u)', () => {
    expect(run([snapshot(10), delta(11), snapshot(11), snapshot(5), delta(6)]).delivered).toEqual([10, 11, 11, 5, 6]);
  });

  it('treats u == 1 as a restart snapshot, and marks it as one for consumers', () => {
    const restart = delta(1);
    expect(run([snapshot(500), delta(501), restart, delta(2)])).toEqual({ delivered: [500, 501, 1, 2], doubts: 0, skipped: 0 });
    expect(restart.type).toBe('snapshot');
  });

  it('doubts a delta that does not move u forward, and delivers nothing until the next snapshot', () => {
    expect(run([snapshot(10), delta(11), delta(11), delta(12), delta(13), snapshot(20), delta(21)])).toEqual({
      delivered: [10, 11, 20, 21],
      doubts: 1,
      skipped: 2,
    });
    expect(checkBybitBook(11, { snapshot: false, u: 7 })).toEqual({ kind: 'doubt', lastU: 11, gotU: 7 });
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
  ])('doubts an unreadable book message %p', (message) => {
    const mark: BybitBookMark = bybitBookMark(message);
    expect(mark).toEqual({ invalid: true });
    expect(checkBybitBook(10, mark).kind).toBe('doubt');
  });

  it('leaves other messages alone when marking restarts', () => {
    const normal = delta(2);
    markRestartSnapshot(normal);
    markRestartSnapshot(null);
    expect(normal.type).toBe('delta');
  });
});
