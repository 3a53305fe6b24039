import type { NatsConnection } from '@nats-io/transport-node';

/** What a replica does when its own NATS connection drops and comes back. */
export interface NatsStatusListener {
  disconnected(): void;
  reconnected(): void;
}

/**
 * Follows this replica's NATS connection. A standby's data and requests go through NATS, so it
 * needs to know when that connection is down; the owner's own session does not depend on NATS
 * until its deadline.
 */
export class NatsStatusWatch {
  /** False while our NATS connection is down. */
  isUp = true;
  private stopIterator: (() => void) | undefined;

  constructor(
    private readonly isClosing: () => boolean,
    private readonly listener: NatsStatusListener,
  ) {}

  watch(nc: NatsConnection): void {
    void this.run(nc);
  }

  stop(): void {
    this.stopIterator?.();
  }

  private async run(nc: NatsConnection): Promise<void> {
    const statuses = nc.status()[Symbol.asyncIterator]();
    this.stopIterator = () => void statuses.return?.();
    for (;;) {
      const { value: status, done } = await statuses.next();
      if (done === true || this.isClosing()) break;
      if (status.type === 'disconnect') {
        this.isUp = false;
        this.listener.disconnected();
      } else if (status.type === 'reconnect') {
        this.isUp = true;
        this.listener.reconnected();
      }
    }
  }
}
