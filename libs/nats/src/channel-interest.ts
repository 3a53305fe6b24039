import { parseJson, type CoordinationContext } from './coordination-context.js';

type InterestContext = Pick<CoordinationContext, 'settings' | 'subjects' | 'hubs' | 'nats' | 'isOwner' | 'isClosing'>;

/**
 * What standbys want the owner to subscribe. A standby publishes its consumers' channels on the
 * interest subject (on change and every renew interval); the owner keeps each replica's last
 * word, forgets a replica silent for three intervals, and feeds the union plus `fanOutChannels`.
 */
export class ChannelInterest {
  private readonly remoteInterest = new Map<string, { channels: Set<string>; seenAt: number }>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  /** `reconcile` makes the owner's feeds match `wanted()`. */
  constructor(
    private readonly ctx: InterestContext,
    private readonly reconcile: () => void,
  ) {}

  /** Standbys tell the owner what they want; the owner forgets a silent replica after 3 intervals. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.ctx.isOwner()) this.expire();
      else this.publish();
    }, this.ctx.settings.renewIntervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The local consumers' channels changed: tell the owner, or (as owner) feed them, once per turn. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.ctx.isOwner()) this.reconcile();
      else this.publish();
    });
  }

  publish(): void {
    const nc = this.ctx.nats();
    if (nc === undefined || this.ctx.isClosing() || this.ctx.isOwner()) return;
    try {
      nc.publish(
        this.ctx.subjects.interest,
        JSON.stringify({ replica: this.ctx.settings.instanceId, channels: [...this.ctx.hubs.keys()] }),
      );
    } catch {
      // Sent again at the next interval.
    }
  }

  onMessage(data: Uint8Array): void {
    const message = parseJson<{ replica?: string; channels?: unknown }>(data);
    if (message === undefined || typeof message.replica !== 'string' || !Array.isArray(message.channels)) return;
    if (message.replica === this.ctx.settings.instanceId) return;
    const channels = new Set(message.channels.filter((c): c is string => typeof c === 'string' && c.length > 0));
    this.remoteInterest.set(message.replica, { channels, seenAt: performance.now() });
    if (this.ctx.isOwner()) this.reconcile();
  }

  /** The channels the owner feeds: local consumers', `fanOutChannels`, and every live replica's. */
  wanted(): Set<string> {
    const wanted = new Set<string>([...this.ctx.hubs.keys(), ...this.ctx.settings.fanOutChannels]);
    for (const { channels } of this.remoteInterest.values()) for (const c of channels) wanted.add(c);
    return wanted;
  }

  private expire(): void {
    const bound = performance.now() - 3 * this.ctx.settings.renewIntervalMs;
    let changed = false;
    for (const [replica, { seenAt }] of this.remoteInterest) {
      if (seenAt < bound) {
        this.remoteInterest.delete(replica);
        changed = true;
      }
    }
    if (changed) this.reconcile();
  }
}
