/** The two sockets of a rotation: the one serving (`old`) and the one taking over (`new`). */
export type OverlapSide = 'old' | 'new';

/** What the switch needs from the connection: keys, and each side's delivery path. */
export interface OverlapHost {
  /** The venue's per-channel order key of one message (`VenueAdapter.overlapKey`), if any. */
  keyOf(channel: string, data: unknown): number | undefined;
  isSequenced(channel: string): boolean;
  /** Hands one message to consumers through that side's session (its sequence tracker decides). */
  deliver(side: OverlapSide, channel: string, data: unknown): void;
  /** That side's sequence tracker: the id of the last message it passed on the channel. */
  lastSequence(side: OverlapSide, channel: string): number | undefined;
  /** Continue that side's chain from `id` (the other side's last), so the handover is not a gap. */
  seedSequence(side: OverlapSide, channel: string, id: number): void;
  /** Ask that side's session for a fresh snapshot of a book (unsubscribe + subscribe). */
  resync(side: OverlapSide, channel: string): void;
}

interface Pending {
  key: number | undefined;
  data: unknown;
}

interface ChannelOverlap {
  /** Whose messages reach consumers. */
  active: OverlapSide;
  /** Key of the last message passed on (from either side). */
  lastKey: number | undefined;
  /** The inactive side's messages, in arrival order (old side: only those ahead of `lastKey`). */
  pending: Pending[];
  /** The new socket has sent something on the channel. */
  newTraffic: boolean;
  /** The old socket sent something after the new one's subscriptions were acknowledged. */
  oldTrafficSinceLive: boolean;
  /** Switched at least once: from then on a key at or below `lastKey` is a repeat. */
  switched: boolean;
}

/** How the channels of one rotation were handed over. */
export interface OverlapTally {
  /** Joined on a key both sockets delivered: nothing missed, nothing repeated. */
  joined: number;
  /** Channels without a key, switched at the new socket's first message (best effort). */
  keyless: number;
  /** Quiet on both sockets during the overlap, switched once another channel proved the old socket drained. */
  quiet: number;
  /** Forced by the overlap bound without a join (a gap possible; books restart from a snapshot). */
  forced: number;
}

/**
 * The per-channel handover of a make-before-break rotation. While both sockets deliver a channel,
 * the old one's messages go on to consumers and the new one's are held. When the new stream holds
 * a key the old one already passed on, the channel switches: the held messages with a greater key
 * go on, in order, and from then on the new socket serves the channel and the old one's messages
 * are dropped (kept only while ahead of the new stream, so a failed rotation can hand back without
 * a hole). A book's chain is carried over: the new side's tracker continues from the old side's
 * last change, so the sequence checker never sees the seam.
 *
 * Rules where the key cannot decide (documented limits):
 * - a message without a key on the new socket, with nothing held, switches the channel at once;
 * - when the old side's book has no chain (it was waiting for a snapshot), the new side's messages
 *   go on whole, from its own snapshot;
 * - the held buffer keeps at most `maxPending` messages per channel (the oldest go first, which can
 *   only delay a join, never cause a repeat).
 */
export class OverlapSwitch {
  private readonly channels = new Map<string, ChannelOverlap>();
  private readonly tally: OverlapTally = { joined: 0, keyless: 0, quiet: 0, forced: 0 };
  private live = false;
  private anyJoined = false;

  constructor(
    private readonly host: OverlapHost,
    private readonly maxPending = 10_000,
  ) {}

  get counts(): Readonly<OverlapTally> {
    return this.tally;
  }

  /** The new socket's subscriptions are acknowledged: from now on silence on a channel means quiet. */
  markLive(): void {
    this.live = true;
    for (const channel of this.channels.values()) channel.oldTrafficSinceLive = false;
  }

  /** One message of `channel` from one socket. */
  offer(side: OverlapSide, channel: string, data: unknown): void {
    const c = this.entry(channel);
    const key = this.host.keyOf(channel, data);
    if (side === 'new') c.newTraffic = true;
    else if (this.live) c.oldTrafficSinceLive = true;
    if (side === c.active) {
      // After a switch the stream that took over may still bring what was already passed on.
      if (c.switched && key !== undefined && c.lastKey !== undefined && key <= c.lastKey) return;
      this.forward(c, side, channel, key, data);
      if (c.active === 'old') this.tryJoin(c, channel);
      return;
    }
    if (side === 'new') {
      if (key === undefined && c.pending.length === 0) {
        // No key to join on: switch at the new socket's first message (best effort).
        this.tally.keyless += 1;
        this.take(c, 'new');
        this.forward(c, 'new', channel, key, data);
        return;
      }
      this.hold(c, key, data);
      this.tryJoin(c, channel);
      return;
    }
    // The old socket after the switch: only what the new stream has not passed on yet is kept.
    if (key === undefined || (c.lastKey !== undefined && key <= c.lastKey)) return;
    this.hold(c, key, data);
  }

  /** Whether every one of `channels` is served by the new socket (quiet ones switched when safe). */
  settled(channels: Iterable<string>): boolean {
    if (!this.live) return false;
    let waiting: Array<[string, ChannelOverlap]> | undefined;
    for (const channel of channels) {
      const c = this.entry(channel);
      if (c.active === 'new') continue;
      if (c.newTraffic || c.oldTrafficSinceLive || c.pending.length > 0) return false;
      (waiting ??= []).push([channel, c]);
    }
    if (waiting === undefined) return true;
    // A quiet channel can switch once a join proved the old socket delivered everything sent
    // before the new subscriptions went live (one socket delivers in order).
    if (!this.anyJoined) return false;
    for (const [channel, c] of waiting) {
      this.tally.quiet += 1;
      this.take(c, 'new');
      // Nothing came on either socket since: the next change on the new one chains to the old last.
      if (this.host.isSequenced(channel)) {
        const last = this.host.lastSequence('old', channel);
        if (last !== undefined) this.host.seedSequence('new', channel, last);
        else this.host.resync('new', channel);
      }
    }
    return true;
  }

  /**
   * Every channel still on the other side goes to `side` now: the overlap bound ran out (`new`), or
   * the new socket failed and the old one takes back what had switched (`old`).
   */
  force(side: OverlapSide): void {
    for (const [channel, c] of this.channels) {
      if (c.active === side) continue;
      const from = c.active;
      const held = c.pending;
      const cutoff = c.lastKey;
      if (side === 'new' && (held.length > 0 || c.newTraffic || c.oldTrafficSinceLive)) this.tally.forced += 1;
      this.take(c, side);
      if (this.host.isSequenced(channel)) {
        const last = this.host.lastSequence(from, channel);
        const continues = side === 'old' && last !== undefined;
        // Handing back continues the old chain; forcing forward lets the new snapshot restart it.
        if (continues) this.host.seedSequence(side, channel, last);
        for (const entry of held) {
          if (continues && entry.key !== undefined && cutoff !== undefined && entry.key <= cutoff) continue;
          this.forward(c, side, channel, entry.key, entry.data);
        }
        // No chain to continue and no snapshot held: only a resubscribe brings a usable book.
        if (this.host.lastSequence(side, channel) === undefined) this.host.resync(side, channel);
        continue;
      }
      for (const entry of held) {
        if (entry.key !== undefined && cutoff !== undefined && entry.key <= cutoff) continue;
        this.forward(c, side, channel, entry.key, entry.data);
      }
    }
  }

  /** Forgets a channel nobody wants any more. */
  drop(channel: string): void {
    this.channels.delete(channel);
  }

  private tryJoin(c: ChannelOverlap, channel: string): void {
    const first = c.pending[0];
    if (first === undefined || first.key === undefined || c.lastKey === undefined || first.key > c.lastKey) return;
    const cutoff = c.lastKey;
    const held = c.pending;
    this.tally.joined += 1;
    this.anyJoined = true;
    this.take(c, 'new');
    let whole = false;
    if (this.host.isSequenced(channel)) {
      const last = this.host.lastSequence('old', channel);
      if (last === undefined) whole = true;
      else this.host.seedSequence('new', channel, last);
    }
    for (const entry of held) {
      if (!whole && entry.key !== undefined && entry.key <= cutoff) continue;
      this.forward(c, 'new', channel, entry.key, entry.data);
    }
  }

  private take(c: ChannelOverlap, side: OverlapSide): void {
    c.active = side;
    c.switched = true;
    c.pending = [];
  }

  private hold(c: ChannelOverlap, key: number | undefined, data: unknown): void {
    c.pending.push({ key, data });
    if (c.pending.length > this.maxPending) c.pending.shift();
  }

  private forward(c: ChannelOverlap, side: OverlapSide, channel: string, key: number | undefined, data: unknown): void {
    this.host.deliver(side, channel, data);
    if (key === undefined) return;
    c.lastKey = key;
    if (c.active === 'new' && c.pending.length > 0) {
      // Old messages the new stream has now passed are no longer needed for a hand-back.
      let drop = 0;
      while (drop < c.pending.length && (c.pending[drop]?.key ?? Infinity) <= key) drop += 1;
      if (drop > 0) c.pending.splice(0, drop);
    }
  }

  private entry(channel: string): ChannelOverlap {
    let c = this.channels.get(channel);
    if (c === undefined) {
      c = { active: 'old', lastKey: undefined, pending: [], newTraffic: false, oldTrafficSinceLive: false, switched: false };
      this.channels.set(channel, c);
    }
    return c;
  }
}
