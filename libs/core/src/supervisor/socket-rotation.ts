import type { ExchangeClient } from '../client/exchange-client.js';
import { ExchangeConnectionError } from '../client/errors.js';
import { toConnectionError } from '../client/error-classification.js';
import type { VenueMessage } from '../client/venue-codec.js';
import type { VenueSession } from '../venues/venue-adapter.js';
import { OverlapSwitch, ReplayFloor, type OverlapSide, type OverlapTally } from './overlap-switch.js';
import type { RotationSettings } from './rotation-plan.js';
import type { SessionSubscriptions } from './session-subscriptions.js';

/** One socket's whole session: what the connection serves from, or what a rotation builds. */
export interface SocketSession {
  client: ExchangeClient;
  session: VenueSession;
  subscriptions: SessionSubscriptions;
  cycle: number;
  /** When its socket opened (per the connection's clock): the lifetime counts from here. */
  openedAt: number;
}

/** How one rotation ended (`rotate()` never rejects). */
export interface RotationOutcome {
  /**
   * `completed`: the new socket serves and the old one is closing. `failed`: the new socket could
   * not connect or restore; the old one still serves (retried later when the rotation was
   * planned). `abandoned`: the old socket died (the normal rebuild took over) or the connection
   * closed. `skipped`: not ready, or a rotation was already running.
   */
  outcome: 'completed' | 'failed' | 'abandoned' | 'skipped';
  reason: string;
  durationMs: number;
  channels: OverlapTally;
  error?: ExchangeConnectionError;
}

/** What a rotation needs from its connection (SupervisedConnection implements it). */
export interface RotationHost {
  now(): number;
  /** The session serving now, if the connection is ready. */
  serving(): SocketSession | undefined;
  /** A new client (with its cycle number), wired to the connection's handlers like any other. */
  createClient(): { client: ExchangeClient; cycle: number };
  /** A restored session on an open client, with its subscriptions object (not yet synced). */
  openSession(client: ExchangeClient): { session: VenueSession; subscriptions: SessionSubscriptions };
  keyOf(channel: string, data: unknown): number | undefined;
  isSequenced(channel: string): boolean;
  wanted(channel: string): boolean;
  /** Delivers one message through that session's path (sequence check, then consumers). */
  deliver(subscriptions: SessionSubscriptions, channel: string, data: unknown): void;
  /** Resubscribe one channel on that session (a book that needs a fresh snapshot). */
  resync(subscriptions: SessionSubscriptions): (channel: string) => void;
  /** The new session serves from now on; the old one is handed back to be drained and closed. */
  adopt(next: SocketSession): void;
  /** Close a socket that never served (or stopped serving) now. */
  discard(client: ExchangeClient, session: VenueSession | undefined): void;
}

/**
 * One make-before-break rotation: a new client and session are built and restored while the old
 * one keeps serving, the channels are handed over one by one by the `OverlapSwitch`, then the
 * connection adopts the new session. Failures of the new socket end this rotation and leave the
 * old socket serving; the old socket's death is the connection's business (it abandons this).
 */
export class SocketRotation {
  private readonly started: number;
  private readonly switch: OverlapSwitch;
  private candidate: Partial<SocketSession> | undefined;
  private old: SocketSession | undefined;
  private overlapTimer: NodeJS.Timeout | undefined;
  private settle: ((outcome: RotationOutcome) => void) | undefined;
  private switchesSeen = 0;
  private done = false;
  /** Set when a failed rotation handed channels back that the old stream has yet to catch up on. */
  handback: ReplayFloor | undefined;
  readonly result: Promise<RotationOutcome>;

  constructor(
    private readonly host: RotationHost,
    private readonly settings: Pick<RotationSettings, 'overlapTimeoutMs'>,
    readonly reason: string,
  ) {
    this.started = host.now();
    this.result = new Promise<RotationOutcome>((resolve) => (this.settle = resolve));
    this.switch = new OverlapSwitch({
      keyOf: (channel, data) => host.keyOf(channel, data),
      isSequenced: (channel) => host.isSequenced(channel),
      deliver: (side, channel, data) => {
        const subs = this.sideSubscriptions(side);
        if (subs !== undefined) host.deliver(subs, channel, data);
      },
      lastSequence: (side, channel) => this.sideSubscriptions(side)?.sequences.lastOf(channel),
      seedSequence: (side, channel, id) => this.sideSubscriptions(side)?.sequences.seed(channel, id),
      resync: (side, channel) => {
        const subs = this.sideSubscriptions(side);
        if (subs !== undefined) host.resync(subs)(channel);
      },
    });
  }

  /** The client being built, while this rotation runs. */
  get candidateClient(): ExchangeClient | undefined {
    return this.candidate?.client;
  }

  /** While true, the serving session's channel messages go through `fromOld`. */
  get overlapping(): boolean {
    return !this.done && this.old !== undefined;
  }

  /** Builds, restores and overlaps the new socket; resolves once it serves or the rotation ended. */
  async run(): Promise<RotationOutcome> {
    const old = this.host.serving();
    if (old === undefined) return this.finish('skipped');
    this.old = old;
    const { client, cycle } = this.host.createClient();
    this.candidate = { client, cycle };
    try {
      await client.connect();
      if (this.done) return this.result;
      this.candidate.openedAt = this.host.now();
      const { session, subscriptions } = this.host.openSession(client);
      this.candidate.session = session;
      await session.restore();
      if (this.done) return this.result;
      this.candidate.subscriptions = subscriptions;
      await subscriptions.sync();
      if (this.done) return this.result;
      this.switch.markLive();
      this.overlapTimer = setTimeout(() => this.onOverlapTimeout(), this.settings.overlapTimeoutMs);
      this.checkSettled();
    } catch (error) {
      this.candidateFailed(client, toConnectionError(error));
    }
    return this.result;
  }

  /** A channel message of the serving (old) session, during the overlap. */
  fromOld(channel: string, data: unknown): void {
    this.switch.offer('old', channel, data);
    this.afterOffer();
  }

  /** A frame of a client that is not the serving one: ours while building, else ignored. */
  fromClient(client: ExchangeClient, message: VenueMessage): void {
    const c = this.candidate;
    if (this.done || c === undefined || c.client !== client || c.session === undefined) return;
    const routed = c.session.route(message);
    // A shutdown notice on a socket that does not serve yet says nothing about the serving one.
    if (routed.kind !== 'data' || c.subscriptions === undefined || !this.host.wanted(routed.channel)) return;
    this.switch.offer('new', routed.channel, routed.data);
    this.afterOffer();
  }

  /** Consumers added or dropped channels: the new session follows while it is being built. */
  sync(): void {
    const subs = this.candidate?.subscriptions;
    const client = this.candidate?.client;
    if (this.done || subs === undefined || client === undefined) return;
    subs.sync().then(
      () => this.checkSettled(),
      (error: unknown) => this.candidateFailed(client, toConnectionError(error)),
    );
  }

  /** The new socket failed (down, closed, or its session reported a fatal error). */
  candidateFailed(client: ExchangeClient, error: ExchangeConnectionError): void {
    if (this.done || this.candidate?.client !== client) return;
    // Channels that already switched go back to the old socket without a hole (and, by the floor,
    // without the repeats of what the new socket had already passed on).
    const floors = this.switch.force('old');
    if (floors.size > 0) this.handback = new ReplayFloor(floors);
    this.host.discard(client, this.candidate.session);
    this.finish('failed', error);
  }

  /** The old socket died or the connection closes: the normal path takes over. */
  abandon(reason: string): void {
    if (this.done) return;
    const c = this.candidate;
    if (c?.client !== undefined) this.host.discard(c.client, c.session);
    this.finish('abandoned', new ExchangeConnectionError('DISCONNECTED', `rotation abandoned: ${reason}`));
  }

  private afterOffer(): void {
    const seen = this.switch.progress;
    if (seen === this.switchesSeen) return;
    this.switchesSeen = seen;
    this.checkSettled();
  }

  private checkSettled(): void {
    const subs = this.candidate?.subscriptions;
    if (this.done || subs === undefined || this.overlapTimer === undefined) return;
    const expected = subs.channels().filter((channel) => this.host.wanted(channel));
    if (this.switch.settled(expected)) this.complete();
  }

  private onOverlapTimeout(): void {
    this.overlapTimer = undefined;
    if (this.done) return;
    const client = this.candidate?.client;
    if (this.switch.newSilent && client !== undefined) {
      const ms = this.settings.overlapTimeoutMs;
      this.candidateFailed(
        client,
        new ExchangeConnectionError('HEARTBEAT_TIMEOUT', `new socket delivered nothing in ${ms} ms of overlap`),
      );
      return;
    }
    this.switch.force('new');
    this.complete();
  }

  private complete(): void {
    const c = this.candidate;
    const { client, session, subscriptions, cycle, openedAt } = c ?? {};
    if (this.done || !client || !session || !subscriptions || cycle === undefined || openedAt === undefined) return;
    this.finish('completed');
    this.host.adopt({ client, session, subscriptions, cycle, openedAt });
  }

  private sideSubscriptions(side: OverlapSide): SessionSubscriptions | undefined {
    return side === 'old' ? this.old?.subscriptions : this.candidate?.subscriptions;
  }

  private finish(outcome: RotationOutcome['outcome'], error?: ExchangeConnectionError): Promise<RotationOutcome> {
    if (!this.done) {
      this.done = true;
      if (this.overlapTimer) clearTimeout(this.overlapTimer);
      this.overlapTimer = undefined;
      const result: RotationOutcome = {
        outcome,
        reason: this.reason,
        durationMs: this.host.now() - this.started,
        channels: { ...this.switch.counts },
      };
      if (error) result.error = error;
      this.settle?.(result);
    }
    return this.result;
  }
}
