import { SequenceTracker } from './sequence-tracker.js';

describe('SequenceTracker', () => {
  it('accepts a snapshot then contiguous changes', () => {
    const t = new SequenceTracker();
    expect(t.check('book', { id: 10 })).toEqual({ kind: 'ok' });
    expect(t.check('book', { id: 11, prev: 10 })).toEqual({ kind: 'ok' });
    expect(t.check('book', { id: 15, prev: 11 })).toEqual({ kind: 'ok' });
  });

  it('reports a gap once, then skips until a fresh snapshot', () => {
    const t = new SequenceTracker();
    t.check('book', { id: 10 });
    expect(t.check('book', { id: 13, prev: 12 })).toEqual({ kind: 'gap', expectedPrev: 10, gotPrev: 12 });
    expect(t.check('book', { id: 14, prev: 13 })).toEqual({ kind: 'skip' });
    expect(t.check('book', { id: 20 })).toEqual({ kind: 'ok' });
    expect(t.check('book', { id: 21, prev: 20 })).toEqual({ kind: 'ok' });
  });

  it('skips changes that arrive before the first snapshot of a session', () => {
    // A change on a fresh session before its snapshot has nothing to chain to: delivered, it could
    // be spliced onto the book a consumer had from the previous session.
    const t = new SequenceTracker();
    expect(t.check('book', { id: 11, prev: 10 })).toEqual({ kind: 'skip' });
    expect(t.check('book', { id: 12, prev: 11 })).toEqual({ kind: 'skip' });
    expect(t.check('book', { id: 12 })).toEqual({ kind: 'ok' });
    expect(t.check('book', { id: 13, prev: 12 })).toEqual({ kind: 'ok' });
  });

  it('after reset, waits for a snapshot again', () => {
    const t = new SequenceTracker();
    t.check('book', { id: 10 });
    t.reset('book');
    expect(t.check('book', { id: 11, prev: 10 })).toEqual({ kind: 'skip' });
  });

  it('keeps channels apart', () => {
    const t = new SequenceTracker();
    t.check('a', { id: 1 });
    t.check('b', { id: 100 });
    expect(t.check('a', { id: 2, prev: 1 })).toEqual({ kind: 'ok' });
    expect(t.check('b', { id: 101, prev: 100 })).toEqual({ kind: 'ok' });
  });
});
