import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { CoordinatedConnectionStats } from '@exchange-connection/nats';
import { waitUntil } from './nats-test-support.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'replica.mjs');

export interface ReplicaConfig {
  instanceId: string;
  natsUrl: string;
  bucket: string;
  prefix: string;
  exchangeUrl: string;
  ttlMs: number;
  renewIntervalMs: number;
  fenceMarginMs: number;
  heartbeatIntervalSec: number;
  channels: string[];
}

export interface ChannelReport {
  count: number;
  lastAt: number;
  maxGapMs: number;
  broken: number;
  snapshots: number;
}

export interface ReplicaReport {
  channels: Record<string, ChannelReport>;
  stats: CoordinatedConnectionStats;
}

export interface OwnershipEvent {
  role: 'owner' | 'standby';
  epoch?: number;
  owner?: string;
  at: number;
}

type ReplicaMessage =
  | ({ type: 'ownership' } & OwnershipEvent)
  | { type: 'state'; state: string; at: number }
  | { type: 'report'; id: number; channels: Record<string, ChannelReport>; stats: CoordinatedConnectionStats }
  | { type: 'response'; id: number; ok: boolean; result?: unknown; code?: string; message?: string }
  | { type: 'completed' | 'channel-error'; channel: string; code?: string }
  | { type: 'started' | 'stopping' | 'stopped'; at?: number };

/** One replica in its own process (test/nats/support/replica.mjs, on the built packages). */
export class ReplicaProcess {
  readonly ownership: OwnershipEvent[] = [];
  readonly states: { state: string; at: number }[] = [];
  readonly completions: string[] = [];
  readonly messages: ReplicaMessage[] = [];
  readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, (message: ReplicaMessage) => void>();
  exited = false;

  constructor(readonly config: ReplicaConfig) {
    this.child = fork(SCRIPT, [], {
      env: { ...process.env, REPLICA_CONFIG: JSON.stringify(config), NODE_OPTIONS: '' },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: ReplicaMessage) => this.onMessage(message));
    this.child.on('exit', () => (this.exited = true));
  }

  get id(): string {
    return this.config.instanceId;
  }

  get role(): 'owner' | 'standby' | undefined {
    return this.ownership.at(-1)?.role;
  }

  get state(): string | undefined {
    return this.states.at(-1)?.state;
  }

  /** When this replica became owner (the last time), epoch ms. */
  ownedSince(): OwnershipEvent | undefined {
    return [...this.ownership].reverse().find((o) => o.role === 'owner');
  }

  private onMessage(message: ReplicaMessage): void {
    this.messages.push(message);
    if (message.type === 'ownership') this.ownership.push(message);
    else if (message.type === 'state') this.states.push(message);
    else if (message.type === 'completed') this.completions.push(message.channel);
    else if (message.type === 'report' || message.type === 'response') {
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    }
  }

  private ask<T>(body: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id}: no answer to ${String(body['type'])}`)), 20_000);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m as unknown as T);
      });
      this.child.send({ ...body, id });
    });
  }

  report(): Promise<ReplicaReport> {
    return this.ask({ type: 'report' });
  }

  /** From now on count only messages the venue stamped at or after `from` (book snapshots excluded). */
  resetCounts(from: number): Promise<ReplicaReport> {
    return this.ask({ type: 'reset-counts', from });
  }

  resetGaps(): Promise<ReplicaReport> {
    return this.ask({ type: 'reset-gaps' });
  }

  request(method: string, params?: Record<string, unknown>): Promise<{ ok: boolean; result?: unknown; code?: string }> {
    return this.ask({ type: 'request', method, params });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async waitFor(condition: (r: this) => boolean, timeoutMs: number, what: string): Promise<void> {
    await waitUntil(() => condition(this), timeoutMs, `${this.id}: ${what}`);
  }

  /** Ends the process for good (SIGKILL after a SIGCONT, in case it was stopped). */
  async dispose(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGCONT');
    this.child.kill('SIGKILL');
    await exited;
  }
}
