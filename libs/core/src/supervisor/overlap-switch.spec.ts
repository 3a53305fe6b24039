import { OverlapSwitch, type OverlapHost, type OverlapSide } from './overlap-switch.js';
import { SequenceTracker } from './sequence-tracker.js';

interface Msg {
  id: number;
  prev?: number;
  key?: number;
}

/** A host whose two sides each run a real SequenceTracker, recording what consumers get. */
function harness(sequenced = false) {
  const trackers: Record<OverlapSide, SequenceTracker> = { old: new SequenceTracker(), new: new SequenceTracker() };
  const delivered: Array<{ side: OverlapSide; id: number }> = [];
  const gaps: number[] = [];
  const resyncs: Array<{ side: OverlapSide; channel: string }> = [];
  const host: OverlapHost = {
    keyOf: (_channel, data) => (data as Msg).key,
    isSequenced: () => sequenced,
    deliver: (side, channel, data) => {
      const m = data as Msg;
      if (sequenced) {
        const verdict = trackers[side].check(channel, m.prev === undefined ? { id: m.id } : { id: m.id, prev: m.prev });
        if (verdict.kind === 'skip') return;
        if (verdict.kind === 'gap') {
          gaps.push(m.id);
          return;
        }
      }
      delivered.push({ side, id: m.id });
    },
    lastSequence: (side, channel) => trackers[side].lastOf(channel),
    seedSequence: (side, channel, id) => trackers[side].seed(channel, id),
    resync: (side, channel) => void resyncs.push({ side, channel }),
  };
  return { sw: new OverlapSwitch(host), delivered, gaps, resyncs, trackers, ids: () => delivered.map((d) => d.id) };
}

const change = (id: number): Msg => ({ id, prev: id - 1, key: id });
const snapshot = (id: number): Msg => ({ id, key: id });
const keyed = (id: number): Msg => ({ id, key: id });

describe('OverlapSwitch', () => {
  it('joins a new stream that starts behind the old one: every key once, in order', () => {
    const { sw, ids, delivered } = harness();
    for (const id of [1, 2, 3]) sw.offer('old', 'c', keyed(id));
    sw.markLive();
    for (const id of [2, 3]) sw.offer('new', 'c', keyed(id)); // held: the new stream reached 2 ≤ 3 → joined
    sw.offer('old', 'c', keyed(4)); // dropped: the new socket serves
    for (const id of [4, 5]) sw.offer('new', 'c', keyed(id));
    sw.offer('old', 'c', keyed(5));
    expect(ids()).toEqual([1, 2, 3, 4, 5]);
    expect(delivered.slice(3).every((d) => d.side === 'new')).toBe(true);
    expect(sw.counts.joined).toBe(1);
    expect(sw.settled(['c'])).toBe(true);
  });

  it('waits while the new stream is ahead, then joins when the old one catches up', () => {
    const { sw, ids } = harness();
    sw.offer('old', 'c', keyed(1));
    sw.markLive();
    for (const id of [3, 4]) sw.offer('new', 'c', keyed(id));
    expect(ids()).toEqual([1]);
    expect(sw.settled(['c'])).toBe(false);
    sw.offer('old', 'c', keyed(2));
    sw.offer('old', 'c', keyed(3)); // old passed 3, held 3 is a repeat, 4 goes on
    expect(ids()).toEqual([1, 2, 3, 4]);
    sw.offer('new', 'c', keyed(5));
    sw.offer('old', 'c', keyed(4));
    expect(ids()).toEqual([1, 2, 3, 4, 5]);
  });

  it("carries a book's chain across the seam: the new tracker continues from the old one's last change", () => {
    const { sw, ids, gaps, trackers } = harness(true);
    sw.offer('old', 'b', snapshot(100));
    sw.offer('old', 'b', change(101));
    sw.markLive();
    sw.offer('new', 'b', snapshot(101)); // a new subscriber's snapshot at the current change
    sw.offer('old', 'b', change(102)); // old passes 102 > 101 held: joined; the snapshot is not re-sent
    sw.offer('new', 'b', change(102)); // a repeat of 102: dropped
    sw.offer('new', 'b', change(103));
    sw.offer('old', 'b', change(103));
    expect(ids()).toEqual([100, 101, 102, 103]);
    expect(gaps).toEqual([]);
    expect(trackers.new.lastOf('b')).toBe(103);
  });

  it('forwards a book from the new snapshot when the old side has no chain (it waited for a snapshot)', () => {
    const { sw, ids, gaps } = harness(true);
    sw.offer('old', 'b', change(50)); // skipped by the old tracker (no snapshot)
    sw.markLive();
    sw.offer('new', 'b', snapshot(49));
    sw.offer('new', 'b', change(50));
    sw.offer('new', 'b', change(51));
    expect(ids()).toEqual([49, 50, 51]);
    expect(gaps).toEqual([]);
  });

  it("switches a keyless channel at the new socket's first message (best effort)", () => {
    const { sw, ids, delivered } = harness();
    sw.offer('old', 'u', { id: 1 });
    sw.markLive();
    sw.offer('new', 'u', { id: 2 });
    sw.offer('old', 'u', { id: 2 });
    expect(ids()).toEqual([1, 2]);
    expect(delivered[1]?.side).toBe('new');
    expect(sw.counts.keyless).toBe(1);
  });

  it('switches quiet channels once a join proved the old socket drained, not before', () => {
    const { sw } = harness();
    sw.offer('old', 'c', keyed(1));
    sw.markLive();
    expect(sw.settled(['c', 'quiet'])).toBe(false);
    sw.offer('new', 'c', keyed(1));
    expect(sw.settled(['c', 'quiet'])).toBe(true);
    expect(sw.counts).toEqual({ joined: 1, keyless: 0, quiet: 1, forced: 0 });
  });

  it('forces an unjoined channel to the new socket at the bound: a book restarts from the held snapshot', () => {
    const { sw, ids, gaps, resyncs } = harness(true);
    sw.offer('old', 'b', snapshot(10));
    sw.markLive();
    sw.offer('new', 'b', snapshot(20)); // the old socket stalls before 20
    sw.offer('new', 'b', change(21));
    sw.offer('new', 'q', keyed(5)); // a keyed non-book channel whose old side never spoke since
    sw.force('new');
    expect(ids()).toEqual([10, 20, 21, 5]);
    expect(gaps).toEqual([]);
    expect(resyncs).toEqual([]);
    expect(sw.counts.forced).toBe(2);
  });

  it('asks for a snapshot when a book is forced over with nothing held', () => {
    const { sw, resyncs } = harness(true);
    sw.offer('old', 'b', snapshot(10));
    sw.markLive();
    sw.offer('old', 'b', change(11));
    sw.force('new');
    expect(resyncs).toEqual([{ side: 'new', channel: 'b' }]);
  });

  it('hands switched channels back to the old socket without a hole or a repeat when the new one fails', () => {
    const { sw, ids, gaps, delivered } = harness(true);
    sw.offer('old', 'b', snapshot(1));
    sw.markLive();
    sw.offer('new', 'b', snapshot(1)); // joined at once: the new socket serves
    sw.offer('new', 'b', change(2));
    sw.offer('old', 'b', change(2)); // passed already: not kept
    sw.offer('old', 'b', change(3)); // ahead of the new stream: kept for a hand-back
    sw.force('old'); // the new socket died
    sw.offer('old', 'b', change(3)); // cannot happen twice on one socket, but a repeat would be dropped
    sw.offer('old', 'b', change(4));
    expect(ids()).toEqual([1, 2, 3, 4]);
    expect(gaps).toEqual([]);
    expect(delivered.map((d) => d.side)).toEqual(['old', 'new', 'old', 'old']);
  });
});
