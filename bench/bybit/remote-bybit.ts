import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BybitHostCommand, BybitHostReply, BybitHostRequest } from './bybit-host-protocol.js';

export interface BybitUrls {
  spot: string;
  linear: string;
  private: string;
}

/** A Bybit test exchange in a child process (compiled `bybit-host.js` next to this file), driven over IPC. */
export class RemoteBybit {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  urls: BybitUrls = { spot: '', linear: '', private: '' };

  private constructor(private readonly child: ChildProcess) {}

  static async start(symbols: string[]): Promise<RemoteBybit> {
    const entry = fileURLToPath(new URL('./bybit-host.js', import.meta.url));
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const remote = new RemoteBybit(child);
    child.on('message', (reply: BybitHostReply) => remote.settle(reply));
    child.on('exit', (code) => {
      for (const { reject } of remote.pending.values()) reject(new Error(`Bybit host exited (${code})`));
      remote.pending.clear();
    });
    remote.urls = (await remote.send({ op: 'start', symbols })) as BybitUrls;
    return remote;
  }

  send(command: BybitHostCommand): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command } satisfies BybitHostRequest);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.send({ op: 'stop' }).catch(() => undefined);
    await exited;
  }

  private settle(reply: BybitHostReply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error ?? 'Bybit host failed'));
  }
}
