import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestExchangeCounters } from '@exchange-connection/testkit';
import type { HostCommand, HostReply, HostRequest, HostStartOptions } from './exchange-host-protocol.js';

/** Test exchanges in a child process (compiled `exchange-host.js` next to this file), driven over IPC. */
export class RemoteExchanges {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly urls: string[],
  ) {}

  static async start(options: HostStartOptions): Promise<RemoteExchanges> {
    const entry = fileURLToPath(new URL('./exchange-host.js', import.meta.url));
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const remote = new RemoteExchanges(child, []);
    child.on('message', (reply: HostReply) => remote.settle(reply));
    child.on('exit', (code) => {
      for (const { reject } of remote.pending.values()) reject(new Error(`exchange host exited (${code})`));
      remote.pending.clear();
    });
    const urls = (await remote.send({ op: 'start', options })) as string[];
    remote.urls.push(...urls);
    return remote;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(command: HostCommand): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command } satisfies HostRequest);
    });
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

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.send({ op: 'stop' }).catch(() => undefined);
    await exited;
  }

  private settle(reply: HostReply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error ?? 'exchange host failed'));
  }
}
