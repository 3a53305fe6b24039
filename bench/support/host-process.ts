/**
 * Both ends of a benchmark's child process that runs test exchanges, so that the process being
 * measured pays only for the client side (CPU, RSS, handles), the way it would against a real
 * venue: `HostProcess` forks and drives it over IPC; `serveHost` is the child's message loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface HostRequest<C> {
  id: number;
  command: C;
}

export interface HostReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Every host understands `stop`: it stops its exchanges, answers, then closes the IPC channel. */
type StopCommand = { op: 'stop' };

/** A child process (a compiled `*-host.js`) driven over IPC; `label` names it in errors. */
export class HostProcess<C extends { op: string }> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private readonly child: ChildProcess;

  constructor(
    entry: URL,
    private readonly label: string,
  ) {
    const child = fork(fileURLToPath(entry), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child = child;
    child.on('message', (reply: HostReply) => this.settle(reply));
    child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`${label} exited (${code})`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(command: C | StopCommand): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command } satisfies HostRequest<C | StopCommand>);
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

  private settle(reply: HostReply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error ?? `${this.label} failed`));
  }
}

/** The child's side: answers each request with what `run` returns (or its error). */
export function serveHost<C extends { op: string }>(run: (command: C) => Promise<unknown>): void {
  process.on('message', (message: HostRequest<C>) => {
    run(message.command).then(
      (value) => {
        // After 'stop' nothing is left but the IPC channel; closing it lets the process exit.
        process.send?.({ id: message.id, ok: true, value } satisfies HostReply, () => {
          if (message.command.op === 'stop') process.disconnect?.();
        });
      },
      (error: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies HostReply),
    );
  });
}

/** Calls `publish(n)` until `total` are out, `burst` per event-loop turn (setImmediate); returns `total`. */
export async function publishInBursts(total: number, burst: number, publish: (count: number) => void): Promise<number> {
  let sent = 0;
  while (sent < total) {
    const n = Math.min(burst, total - sent);
    publish(n);
    sent += n;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return sent;
}
