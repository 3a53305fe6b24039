import type { TestExchangeCounters } from '@exchange-connection/testkit';
import type { HostCommand, HostStartOptions } from './exchange-host-protocol.js';
import { HostProcess } from './host-process.js';

/** Test exchanges in a child process (compiled `exchange-host.js` next to this file), driven over IPC. */
export class RemoteExchanges {
  private constructor(
    private readonly host: HostProcess<HostCommand>,
    readonly urls: string[],
  ) {}

  static async start(options: HostStartOptions): Promise<RemoteExchanges> {
    const host = new HostProcess<HostCommand>(new URL('./exchange-host.js', import.meta.url), 'exchange host');
    const urls = (await host.send({ op: 'start', options })) as string[];
    return new RemoteExchanges(host, urls);
  }

  get pid(): number | undefined {
    return this.host.pid;
  }

  send(command: HostCommand): Promise<unknown> {
    return this.host.send(command);
  }

  publish(channel: string, count = 1): Promise<number> {
    return this.send({ op: 'publish', channel, count }) as Promise<number>;
  }

  /** Resolves with the host's monotonic ms at the moment it terminated every socket. */
  terminateAll(): Promise<number> {
    return this.send({ op: 'terminateAll' }) as Promise<number>;
  }

  counters(): Promise<TestExchangeCounters> {
    return this.send({ op: 'counters' }) as Promise<TestExchangeCounters>;
  }

  connections(): Promise<number> {
    return this.send({ op: 'connections' }) as Promise<number>;
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}
