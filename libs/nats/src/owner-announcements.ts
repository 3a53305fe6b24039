import type { LeaseHolder } from './connection-lease.js';
import { parseJson, type CoordinationContext } from './coordination-context.js';

/** What the owner says on the owner subject: acquired, each state change, released. */
export interface OwnerAnnouncement {
  owner: string;
  epoch: number;
  state?: string;
  released?: boolean;
}

/** What a replica does with another replica's announcement. */
export interface AnnouncementListener {
  /** The owner of `epoch` let the lease go (a graceful close). */
  released(epoch: number): void;
  /** An owner, and its state, sooner than the next lease poll would tell. */
  holder(holder: LeaseHolder): void;
}

type AnnouncementContext = Pick<CoordinationContext, 'settings' | 'subjects' | 'nats'>;

/** Both ends of the owner subject: the owner announces, every other replica listens. */
export class OwnerAnnouncements {
  constructor(
    private readonly ctx: AnnouncementContext,
    private readonly listener: AnnouncementListener,
  ) {}

  announce(a: OwnerAnnouncement): void {
    try {
      this.ctx.nats()?.publish(this.ctx.subjects.owner, JSON.stringify(a));
    } catch {
      // NATS closed: the lease tells standbys the same, later.
    }
  }

  onMessage(data: Uint8Array): void {
    const a = parseJson<OwnerAnnouncement>(data);
    if (a === undefined || typeof a.owner !== 'string' || typeof a.epoch !== 'number') return;
    if (a.owner === this.ctx.settings.instanceId) return;
    if (a.released) {
      this.listener.released(a.epoch);
      return;
    }
    this.listener.holder({ owner: a.owner, epoch: a.epoch, state: a.state });
  }
}
