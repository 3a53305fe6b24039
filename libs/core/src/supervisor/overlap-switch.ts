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
  /** The message's JSON, for a channel without keys (joined on identical content). */
  print?: string;
}

/** Old messages of a keyless channel remembered for a content join (the overlap is short). */
const MAX_PRINTS = 256;

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
  /** JSON of the old socket's recent keyless messages on the channel, oldest first. */
  oldPrints: string[];
  /**
   * After a join, the key the new stream must still reach: until it does, it is behind what was
   * passed on, and the connection must not adopt it (nothing would drop its late copies then).
   */
  catchUpKey: number | undefined;
  /** The same for a content join: old messages the new stream has not shown yet. */
  catchUpPrints: Set<string> | undefined;
}

/** How the channels of one rotation were handed over. */
export interface OverlapTally {
  /** Joined on a key both sockets delivered: nothing missed, nothing repeated. */
  joined: number;
  /** Channels without a key, joined where the new socket's copy of a message equals the old one's. */
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
 * For a sequenced channel (a book) the key must be its sequence id (Deribit `change_id`, Bybit
 * `u`): a book quiet on the old socket joins on the old chain's last id.
 *
 * Rules where the key cannot decide (documented limits):
 * - a channel without keys joins on content: where the new socket's first message equals (as
 *   JSON) one the old socket passed on; a venue that sends each socket a different payload never
 *   joins, and the overlap bound switches the channel (counted as forced);
 * - a channel quiet on both sockets since the new one's subscriptions were acknowledged switches
 *   once another channel has joined (that join proves the old socket delivered everything sent
 *   before; one socket delivers in order) — never a book, whose subscribe always brings a snapshot;
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
  private caughtUp = 0;

  constructor(
    private readonly host: OverlapHost,
    private readonly maxPending = 10_000,
  ) {}

  get counts(): Readonly<OverlapTally> {
    return this.tally;
  }

  /** Grows whenever a channel joined or caught up: the moment to ask `settled()` again. */
  get progress(): number {
    return this.tally.joined + this.tally.keyless + this.caughtUp;
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
      if (side === 'new' && (c.catchUpKey !== undefined || c.catchUpPrints !== undefined) && this.lagging(c, key, data)) return;
      // After a switch the stream that took over may still bring what was already passed on.
      if (c.switched && key !== undefined && c.lastKey !== undefined && key <= c.lastKey) return;
      this.forward(c, side, channel, key, data);
      if (c.active !== 'old') return;
      if (key === undefined) {
        c.oldPrints.push(fingerprint(data));
        if (c.oldPrints.length > MAX_PRINTS) c.oldPrints.shift();
        this.tryJoinByContent(c, channel);
      } else this.tryJoin(c, channel);
      return;
    }
    if (side === 'new') {
      if (key === undefined) {
        this.hold(c, key, data, fingerprint(data));
        this.tryJoinByContent(c, channel);
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
      if (c.active === 'new') {
        if (c.catchUpKey !== undefined || c.catchUpPrints !== undefined) return false;
        continue;
      }
      if (c.newTraffic || c.oldTrafficSinceLive || c.pending.length > 0) return false;
      // A book's subscribe always brings a snapshot: it is not quiet, only not there yet.
      if (this.host.isSequenced(channel)) return false;
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
   * the new socket failed and the old one takes back what had switched (`old`). Handing back
   * returns, per channel, the key the old stream has not reached yet: its messages up to it were
   * passed on from the new socket already (see `ReplayFloor`).
   */
  force(side: OverlapSide): Map<string, number> {
    const floors = new Map<string, number>();
    for (const [channel, c] of this.channels) {
      if (c.active === side) continue;
      const from = c.active;
      const held = c.pending;
      const cutoff = c.lastKey;
      if (side === 'old' && cutoff !== undefined && !held.some((e) => e.key !== undefined && e.key > cutoff)) {
        floors.set(channel, cutoff);
      }
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
    return floors;
  }

  /**
   * The old socket delivered since the new one went live, and the new one nothing at all: at the
   * overlap bound such a socket is not taken (it looks dead; the rotation fails instead).
   */
  get newSilent(): boolean {
    let oldSpoke = false;
    for (const c of this.channels.values()) {
      if (c.newTraffic) return false;
      oldSpoke ||= c.oldTrafficSinceLive;
    }
    return oldSpoke;
  }

  /** Forgets a channel nobody wants any more. */
  drop(channel: string): void {
    this.channels.delete(channel);
  }

  private tryJoin(c: ChannelOverlap, channel: string): void {
    const first = c.pending[0];
    if (first === undefined || first.key === undefined) return;
    const sequenced = this.host.isSequenced(channel);
    // A book quiet on the old socket since the rotation began: its chain says where it stands
    // (for a sequenced channel the key is its sequence id, as Deribit's change_id and Bybit's u).
    const cutoff = c.lastKey ?? (sequenced ? this.host.lastSequence('old', channel) : undefined);
    if (cutoff === undefined || first.key > cutoff) return;
    const held = c.pending;
    this.tally.joined += 1;
    this.anyJoined = true;
    this.take(c, 'new');
    let whole = false;
    if (sequenced) {
      const last = this.host.lastSequence('old', channel);
      if (last === undefined) whole = true;
      else this.host.seedSequence('new', channel, last);
    }
    if (!whole && !held.some((entry) => entry.key !== undefined && entry.key >= cutoff)) c.catchUpKey = cutoff;
    for (const entry of held) {
      if (!whole && entry.key !== undefined && entry.key <= cutoff) continue;
      this.forward(c, 'new', channel, entry.key, entry.data);
    }
  }

  /**
   * A message of the new stream while it is still behind what was passed on: true when it is a
   * late copy (dropped). Reaching the old stream's point ends the catch-up.
   */
  private lagging(c: ChannelOverlap, key: number | undefined, data: unknown): boolean {
    if (c.catchUpKey !== undefined && key !== undefined) {
      if (key < c.catchUpKey) return true;
      c.catchUpKey = undefined;
      this.caughtUp += 1;
      return false; // at the old stream's point: the repeat rule below drops an equal key
    }
    const prints = c.catchUpPrints;
    if (prints === undefined) return false;
    const print = fingerprint(data);
    const late = prints.delete(print);
    // A message the old socket never passed on means the new stream is past it (best effort).
    if (!late || prints.size === 0) {
      c.catchUpPrints = undefined;
      this.caughtUp += 1;
    }
    return late;
  }

  /**
   * A channel without keys joins where the new socket's first held message equals (as JSON) one
   * the old socket passed on: the held messages after it go on, except copies of what the old one
   * also passed on. Venues send both sockets the same payload; one that differs per socket never
   * joins and is switched by the overlap bound (counted as forced).
   */
  private tryJoinByContent(c: ChannelOverlap, channel: string): void {
    const first = c.pending[0];
    if (first?.print === undefined || !c.oldPrints.includes(first.print)) return;
    const held = c.pending;
    // The old messages from the one the new stream starts with: the rest of them it will repeat.
    const passed = new Set(c.oldPrints.slice(c.oldPrints.lastIndexOf(first.print)));
    this.tally.keyless += 1;
    this.anyJoined = true;
    this.take(c, 'new');
    for (const entry of held) {
      if (entry.print !== undefined && passed.delete(entry.print)) continue;
      this.forward(c, 'new', channel, entry.key, entry.data);
    }
    // What the old socket passed on after the last held copy: the new one's copies are still to come.
    if (passed.size > 0) c.catchUpPrints = passed;
  }

  private take(c: ChannelOverlap, side: OverlapSide): void {
    c.active = side;
    c.switched = true;
    c.pending = [];
    c.oldPrints = [];
    c.catchUpKey = undefined;
    c.catchUpPrints = undefined;
  }

  private hold(c: ChannelOverlap, key: number | undefined, data: unknown, print?: string): void {
    c.pending.push(print === undefined ? { key, data } : { key, data, print });
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
      c = {
        active: 'old',
        lastKey: undefined,
        pending: [],
        newTraffic: false,
        oldTrafficSinceLive: false,
        switched: false,
        oldPrints: [],
        catchUpKey: undefined,
        catchUpPrints: undefined,
      };
      this.channels.set(channel, c);
    }
    return c;
  }
}

/**
 * After a failed rotation handed channels back to the old socket: per channel, the key up to which
 * the new socket already passed messages on. The old socket's copies up to it are dropped (they
 * would be repeats, and a book's seeded chain would call them a gap); its first message past it
 * ends the filter for that channel.
 */
export class ReplayFloor {
  constructor(private readonly floors: Map<string, number>) {}

  get empty(): boolean {
    return this.floors.size === 0;
  }

  /** Whether a message of the old socket may go on. */
  admits(channel: string, key: number | undefined): boolean {
    const floor = this.floors.get(channel);
    if (floor === undefined || key === undefined) return true;
    if (key <= floor) return false;
    this.floors.delete(channel);
    return true;
  }
}

/** A keyless message's identity for a content join: its JSON (parsed frames hold no cycles). */
function fingerprint(data: unknown): string {
  try {
    return JSON.stringify(data) ?? '';
  } catch {
    return '';
  }
}
