import { OverlapSwitch, ReplayFloor, type OverlapHost, type OverlapSide } from './overlap-switch.js';
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

  it('joins a channel without keys where the new copy of a message equals the old one: none missed, none repeated', () => {
    const { sw, ids, delivered } = harness();
    sw.offer('old', 'u', { id: 1 });
    sw.markLive();
    sw.offer('old', 'u', { id: 2 });
    sw.offer('old', 'u', { id: 3 });
    sw.offer('new', 'u', { id: 2 }); // the old socket passed this one on: joined after it
    expect(sw.settled(['u'])).toBe(false); // the new stream still has to bring its copy of 3
    sw.offer('new', 'u', { id: 3 }); // a late copy: dropped
    sw.offer('new', 'u', { id: 4 });
    sw.offer('old', 'u', { id: 4 }); // dropped: the new socket serves
    expect(ids()).toEqual([1, 2, 3, 4]);
    expect(delivered[3]?.side).toBe('new');
    expect(sw.counts.keyless).toBe(1);
    expect(sw.settled(['u'])).toBe(true);
  });

  it('holds a keyless channel whose new stream is ahead until the old one delivers the same message', () => {
    const { sw, ids } = harness();
    sw.markLive();
    sw.offer('new', 'u', { id: 5 });
    sw.offer('new', 'u', { id: 6 });
    sw.offer('old', 'u', { id: 4 });
    sw.offer('old', 'u', { id: 5 }); // now the new stream's first message is one the old passed on
    sw.offer('old', 'u', { id: 6 });
    sw.offer('new', 'u', { id: 7 });
    expect(ids()).toEqual([4, 5, 6, 7]);
  });

  it('does not settle a joined channel until the new stream caught up with what the old one passed on', () => {
    const { sw, ids } = harness();
    sw.offer('old', 'c', keyed(10));
    sw.markLive();
    sw.offer('new', 'c', keyed(9)); // the new stream starts behind: joined, but 10 is still to come on it
    expect(ids()).toEqual([10]);
    expect(sw.settled(['c'])).toBe(false);
    sw.offer('new', 'c', keyed(10)); // its late copy: dropped, and now it has caught up
    expect(sw.settled(['c'])).toBe(true);
    sw.offer('new', 'c', keyed(11));
    expect(ids()).toEqual([10, 11]);
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

  it("joins a book quiet on the old socket since the rotation began on the old chain's last id", () => {
    const { sw, ids, gaps, trackers } = harness(true);
    trackers.old.seed('b', 7); // delivered before the rotation began
    sw.markLive();
    expect(sw.settled(['b'])).toBe(false); // a book waits for its snapshot, it is never "quiet"
    sw.offer('new', 'b', snapshot(7));
    sw.offer('new', 'b', change(8));
    expect(ids()).toEqual([8]);
    expect(gaps).toEqual([]);
    expect(sw.settled(['b'])).toBe(true);
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

  it('hands back to an old socket that is behind: its copies of what the new one passed on are dropped', () => {
    const { sw, ids, gaps, delivered } = harness(true);
    sw.offer('old', 'b', snapshot(1));
    sw.markLive();
    sw.offer('new', 'b', snapshot(1)); // joined
    sw.offer('new', 'b', change(2));
    sw.offer('new', 'b', change(3)); // the old socket has not delivered 2 and 3 yet
    const floor = new ReplayFloor(sw.force('old')); // the new socket died
    for (const m of [change(2), change(3), change(4)]) if (floor.admits('b', m.key)) sw.offer('old', 'b', m);
    expect(ids()).toEqual([1, 2, 3, 4]);
    expect(delivered.map((d) => d.side)).toEqual(['old', 'new', 'new', 'old']);
    expect(gaps).toEqual([]);
    expect(floor.empty).toBe(true);
  });

  it('calls a new socket silent when only the old one delivered since it went live', () => {
    const { sw } = harness();
    sw.markLive();
    expect(sw.newSilent).toBe(false); // nothing on either side: quiet, not silent
    sw.offer('old', 'c', keyed(1));
    expect(sw.newSilent).toBe(true);
    sw.offer('new', 'd', keyed(1));
    expect(sw.newSilent).toBe(false);
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
