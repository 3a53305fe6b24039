import { randomBytes } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { ClientLogger } from '@exchange-connection/core';

/** What the lease entry holds (JSON). `epoch` 0 on a create: the entry's own revision is the epoch. */
export interface LeaseValue {
  owner: string;
  epoch: number;
  /** Write counter of this epoch: tells which of our writes landed when an answer was lost. */
  n: number;
  /** The owner's connection state, for standbys' `state`. */
  state?: string;
  /**
   * Random per lease object (per process): a restarted process, or a second one misconfigured
   * with the same instance id, must not mistake this entry for its own and take it over early.
   */
  token?: string;
}

/** Who owns the connection, as this replica last learned it. */
export interface LeaseHolder {
  owner: string;
  epoch: number;
  state?: string;
  /** The holding process's random token (see LeaseValue). */
  token?: string;
}

export interface LeaseTimings {
  ttlMs: number;
  renewIntervalMs: number;
  /** The owner fences this long before the lease can expire at the server. */
  fenceMarginMs: number;
}

export interface LeaseCallbacks {
  /** This replica now owns the connection under `epoch` (create or reclaim). */
  acquired(epoch: number, previous: LeaseHolder | undefined): void;
  /** This replica must stop at once: its deadline passed, or the entry is someone else's. */
  lost(reason: 'fenced' | 'taken' | 'released'): void;
  /** Someone else's lease, or none (standbys). */
  holderSeen(holder: LeaseHolder | undefined): void;
}

const monotonic = (): number => performance.now();

/**
 * One lease per connection in a JetStream KV bucket whose TTL (max age) is the lease's.
 * Acquire = `create` (fails while the key holds a live entry); renew = `update` at the last
 * revision (compare-and-set: fails if anyone else wrote); the revision of the acquiring write is
 * the fencing epoch, so epochs only grow. The owner's authority ends at a LOCAL monotonic
 * deadline — send time of the last confirmed write + TTL − margin — whatever NATS says later:
 * the server cannot expire our entry before that, so no other replica can hold it while we act.
 */
export class ConnectionLease {
  private role: 'owner' | 'standby' = 'standby';
  private epoch = 0;
  private revision = 0;
  private n = 0;
  private deadline = 0;
  /** Send times of our writes in this epoch whose answer we have not seen (n → time). */
  private readonly pendingWrites = new Map<number, number>();
  private tickTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running = false;
  private busy = false;
  /** The tick in progress (a release waits for it: a renewal in flight moves the revision). */
  private ticking: Promise<void> | undefined;
  private again = false;
  private holder: LeaseHolder | undefined;
  private ownerState = 'idle';
  readonly counters = { renewals: 0, renewFailures: 0, acquisitions: 0, failovers: 0, fencings: 0 };
  private readonly token = randomBytes(8).toString('hex');

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly instanceId: string,
    private readonly timings: LeaseTimings,
    private readonly callbacks: LeaseCallbacks,
    private readonly logger?: ClientLogger,
  ) {}

  get isOwner(): boolean {
    return this.role === 'owner';
  }

  /** Owner and still inside the deadline: the only condition under which anything may reach the venue. */
  isValid(): boolean {
    return this.role === 'owner' && monotonic() < this.deadline;
  }

  get currentEpoch(): number | undefined {
    return this.role === 'owner' ? this.epoch : this.holder?.epoch;
  }

  get currentHolder(): LeaseHolder | undefined {
    return this.role === 'owner' ? { owner: this.instanceId, epoch: this.epoch, state: this.ownerState } : this.holder;
  }

  /** ms left before this owner fences (negative once past). */
  remainingMs(): number {
    return this.deadline - monotonic();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  /** Run a tick now (a release was announced, or the owner's state changed). */
  kick(): void {
    if (!this.running) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    this.ticking = this.tick();
  }

  /** The owner's state goes into the entry at the next write; written now. */
  setOwnerState(state: string): void {
    if (this.ownerState === state) return;
    this.ownerState = state;
    if (this.role === 'owner') this.kick();
  }

  /** Stop ticking; as owner, delete the entry at our revision so a standby acquires at once. */
  async stop(release: boolean): Promise<void> {
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    // A renewal in flight moves the revision: release at the one it lands on.
    await this.ticking;
    const wasOwner = this.role === 'owner';
    const epoch = this.epoch;
    const revision = this.revision;
    this.dropOwnership();
    if (wasOwner) {
      this.callbacks.lost('released');
      if (release) await this.release(epoch, revision);
    }
  }

  /** Delete our entry (compare-and-set), so a standby acquires now instead of after the TTL. */
  private async release(epoch: number, revision: number): Promise<void> {
    try {
      await this.kv.delete(this.key, { previousSeq: revision });
      return;
    } catch (error) {
      if (!isWrongLastSequence(error)) {
        this.log('warn', `lease release failed (standbys wait for the TTL): ${describe(error)}`);
        return;
      }
    }
    // A write of ours landed whose answer we lost: if the entry is still ours, delete it there.
    try {
      const entry = await this.kv.get(this.key);
      const held = entry !== null && entry.operation === 'PUT' ? parseLease(entry.string(), entry.revision) : undefined;
      if (entry !== null && held?.owner === this.instanceId && held.token === this.token && held.epoch === epoch) {
        await this.kv.delete(this.key, { previousSeq: entry.revision });
      }
    } catch (error) {
      this.log('warn', `lease release failed (standbys wait for the TTL): ${describe(error)}`);
    }
  }

  private async tick(): Promise<void> {
    this.busy = true;
    try {
      if (this.role === 'owner') await this.renew();
      else await this.tryAcquire();
    } catch (error) {
      this.log('debug', `lease tick failed: ${describe(error)}`);
    } finally {
      this.busy = false;
    }
    if (!this.running) return;
    if (this.again) {
      this.again = false;
      this.kick();
      return;
    }
    const { renewIntervalMs } = this.timings;
    // A standby polls twice per renew interval, so it acquires within half an interval of the expiry.
    const wait = this.role === 'owner' ? renewIntervalMs : Math.max(10, Math.floor(renewIntervalMs / 2));
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      this.ticking = this.tick();
    }, wait);
  }

  private value(): string {
    const value: LeaseValue = { owner: this.instanceId, epoch: this.epoch, n: this.n, state: this.ownerState, token: this.token };
    return JSON.stringify(value);
  }

  private async tryAcquire(): Promise<void> {
    const entry = await this.kv.get(this.key);
    const live = entry !== null && entry.operation === 'PUT';
    const held = live ? parseLease(entry.string(), entry.revision) : undefined;
    const ours = held !== undefined && held.owner === this.instanceId && held.token === this.token;
    if (live && !ours) {
      // Someone's live lease (or one we cannot read): wait for it to be released or to expire.
      if (held !== undefined) this.seeHolder(held);
      return;
    }
    const previous = this.holder;
    this.n = 0;
    this.epoch = 0;
    const sent = monotonic();
    let revision: number;
    try {
      // Our own entry outlived a fencing (we were cut off, the entry did not expire yet): nobody
      // else can have written in between if the compare-and-set holds, so we take it back under a
      // new epoch instead of waiting out the TTL.
      revision =
        live && entry !== null
          ? await this.kv.update(this.key, this.value(), entry.revision)
          : await this.kv.create(this.key, this.value());
    } catch (error) {
      if (isWrongLastSequence(error)) return; // someone else was faster: seen at the next tick
      throw error;
    }
    if (!this.running) {
      await this.kv.delete(this.key, { previousSeq: revision }).catch(() => undefined);
      return;
    }
    this.role = 'owner';
    this.epoch = revision;
    this.revision = revision;
    this.holder = undefined;
    this.pendingWrites.clear();
    this.armDeadline(sent);
    this.counters.acquisitions += 1;
    if (previous !== undefined && previous.owner !== this.instanceId) this.counters.failovers += 1;
    this.log('log', `lease acquired, epoch ${revision}`, { epoch: revision });
    this.callbacks.acquired(revision, previous);
    // The entry now says epoch 0 (a create cannot know its revision): write the epoch in at once.
    this.kick();
  }

  private async renew(): Promise<void> {
    if (!this.isValid()) {
      this.fence();
      return;
    }
    this.n += 1;
    const n = this.n;
    const sent = monotonic();
    this.pendingWrites.set(n, sent);
    try {
      const revision = await this.kv.update(this.key, this.value(), this.revision, this.timings.renewIntervalMs);
      this.pendingWrites.delete(n);
      if (this.role !== 'owner') return;
      this.revision = revision;
      this.counters.renewals += 1;
      this.armDeadline(sent);
    } catch (error) {
      if (this.role !== 'owner') return;
      this.counters.renewFailures += 1;
      if (isWrongLastSequence(error)) await this.recoverLostAnswer();
      else this.log('warn', `lease renew failed: ${describe(error)}`, { epoch: this.epoch });
    }
  }

  /**
   * A compare-and-set failed. Either a write of ours landed but its answer was lost (the entry is
   * still ours: adopt it, with the deadline of THAT write's send time), or someone else holds it.
   */
  private async recoverLostAnswer(): Promise<void> {
    const entry = await this.kv.get(this.key);
    if (this.role !== 'owner') return;
    const held = entry !== null && entry.operation === 'PUT' ? parseLease(entry.string(), entry.revision) : undefined;
    const raw = entry !== null && entry.operation === 'PUT' ? safeParse(entry.string()) : undefined;
    const sent = raw?.n === undefined ? undefined : this.pendingWrites.get(raw.n);
    if (
      held !== undefined &&
      held.owner === this.instanceId &&
      held.token === this.token &&
      held.epoch === this.epoch &&
      sent !== undefined &&
      entry !== null
    ) {
      this.revision = entry.revision;
      this.pendingWrites.clear();
      this.armDeadline(sent);
      return;
    }
    this.log('warn', `lease taken (${held ? `owner ${held.owner}, epoch ${held.epoch}` : 'gone'}): standing down`, {
      epoch: this.epoch,
    });
    this.dropOwnership();
    this.callbacks.lost('taken');
    if (held !== undefined) this.seeHolder(held);
  }

  private armDeadline(sent: number): void {
    const { ttlMs, fenceMarginMs } = this.timings;
    const deadline = sent + ttlMs - fenceMarginMs;
    if (deadline <= this.deadline) return;
    this.deadline = deadline;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.fence(), Math.max(1, Math.ceil(deadline - monotonic())));
  }

  /** The local deadline passed without a confirmed renewal: stop acting as owner, now. */
  private fence(): void {
    if (this.role !== 'owner') return;
    if (monotonic() < this.deadline) {
      // A renewal moved the deadline after this timer was armed.
      this.armDeadline(this.deadline - this.timings.ttlMs + this.timings.fenceMarginMs);
      return;
    }
    this.counters.fencings += 1;
    this.log('warn', `lease deadline passed without a renewal: fencing epoch ${this.epoch}`, { epoch: this.epoch });
    this.dropOwnership();
    this.callbacks.lost('fenced');
    this.kick();
  }

  private dropOwnership(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.role = 'standby';
    this.deadline = 0;
    this.pendingWrites.clear();
  }

  private seeHolder(holder: LeaseHolder | undefined): void {
    this.holder = holder;
    this.callbacks.holderSeen(holder);
  }

  /** A standby heard of the holder between polls (the owner's announcements). */
  noteHolder(holder: LeaseHolder | undefined): void {
    if (this.role === 'owner') return;
    if (holder !== undefined && holder.owner === this.instanceId) return;
    if (holder !== undefined && this.holder !== undefined && holder.epoch < this.holder.epoch) return;
    this.seeHolder(holder);
  }

  private log(level: 'debug' | 'log' | 'warn', message: string, extra?: Record<string, unknown>): void {
    const context = { ...extra, lease: this.key, instance: this.instanceId, layer: 'coordination' };
    if (level === 'debug') this.logger?.debug?.(message, context);
    else this.logger?.[level](message, context);
  }
}

function safeParse(text: string): Partial<LeaseValue> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Partial<LeaseValue>) : undefined;
  } catch {
    return undefined;
  }
}

function parseLease(text: string, revision: number): LeaseHolder | undefined {
  const value = safeParse(text);
  if (value === undefined || typeof value.owner !== 'string') return undefined;
  const epoch = typeof value.epoch === 'number' && value.epoch > 0 ? value.epoch : revision;
  return {
    owner: value.owner,
    epoch,
    state: typeof value.state === 'string' ? value.state : undefined,
    token: typeof value.token === 'string' ? value.token : undefined,
  };
}

function isWrongLastSequence(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
