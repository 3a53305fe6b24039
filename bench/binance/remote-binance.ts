import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BinanceHostCommand, BinanceHostReply, BinanceHostRequest } from './binance-host-protocol.js';

export interface RemoteBinanceUrls {
  spotCombined: string;
  rest: string;
}

/** A Binance test exchange in a child process (compiled `binance-host.js` next to this file), driven over IPC. */
export class RemoteBinance {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  urls: RemoteBinanceUrls = { spotCombined: '', rest: '' };

  private constructor(private readonly child: ChildProcess) {}

  static async start(symbols: string[]): Promise<RemoteBinance> {
    const entry = fileURLToPath(new URL('./binance-host.js', import.meta.url));
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const remote = new RemoteBinance(child);
    child.on('message', (reply: BinanceHostReply) => remote.settle(reply));
    child.on('exit', (code) => {
      for (const { reject } of remote.pending.values()) reject(new Error(`Binance host exited (${code})`));
      remote.pending.clear();
    });
    remote.urls = (await remote.send({ op: 'start', symbols })) as RemoteBinanceUrls;
    return remote;
  }

  send(command: BinanceHostCommand): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command } satisfies BinanceHostRequest);
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

  private settle(reply: BinanceHostReply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error ?? 'Binance host failed'));
  }
}
