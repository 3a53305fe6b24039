import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { TestExchange } from '@exchange-connection/testkit';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'bench-replica.js');

interface ReplicaView {
  child: ChildProcess;
  role?: string;
  state?: string;
  /** When it last became owner and ready (epoch ms, its clock = ours: same machine). */
  readyAsOwnerAt?: number;
}

export interface FailoverSummary {
  ttlMs: number;
  renewIntervalMs: number;
  /** SIGKILL of the owner → the standby owns and is ready (full session restored), ms. */
  killToReadyMs: number[];
  /** SIGTERM of the owner → the standby owns and is ready, ms. */
  termToReadyMs: number[];
}

function spawnReplica(config: Record<string, unknown>): ReplicaView {
  const child = fork(SCRIPT, [], {
    env: { ...process.env, BENCH_REPLICA: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const view: ReplicaView = { child };
  child.on('message', (m: { type: string; role?: string; state?: string; at: number }) => {
    if (m.type === 'ownership') view.role = m.role;
    if (m.type === 'state') view.state = m.state;
    if (view.role === 'owner' && view.state === 'ready' && view.readyAsOwnerAt === undefined) view.readyAsOwnerAt = m.at;
  });
  return view;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Owner + standby as processes; the owner is killed (or terminated), the standby's takeover is timed. */
export async function measureFailover(options: {
  natsUrl: string;
  bucket: string;
  prefix: string;
  ttlMs: number;
  renewIntervalMs: number;
  repeats: number;
}): Promise<FailoverSummary> {
  const exchange = await TestExchange.start({ port: 0, feedIntervalMs: 50, minHeartbeatIntervalSec: 0.2 });
  const summary: FailoverSummary = {
    ttlMs: options.ttlMs,
    renewIntervalMs: options.renewIntervalMs,
    killToReadyMs: [],
    termToReadyMs: [],
  };
  const all: ReplicaView[] = [];
  try {
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      for (let i = 0; i < options.repeats; i += 1) {
        const base = {
          natsUrl: options.natsUrl,
          bucket: options.bucket,
          prefix: `${options.prefix}_${signal}_${i}`,
          exchangeUrl: exchange.url,
          ttlMs: options.ttlMs,
          renewIntervalMs: options.renewIntervalMs,
        };
        const owner = spawnReplica({ ...base, instanceId: `owner-${i}` });
        all.push(owner);
        await until(() => owner.readyAsOwnerAt !== undefined, 30_000, 'the first owner');
        const standby = spawnReplica({ ...base, instanceId: `standby-${i}` });
        all.push(standby);
        await until(() => standby.role === 'standby' && standby.state === 'ready', 30_000, 'the standby');
        const t0 = Date.now();
        owner.child.kill(signal);
        await until(() => standby.readyAsOwnerAt !== undefined, options.ttlMs * 3 + 10_000, 'the takeover');
        (signal === 'SIGKILL' ? summary.killToReadyMs : summary.termToReadyMs).push((standby.readyAsOwnerAt as number) - t0);
        standby.child.kill('SIGKILL');
        // Each round's key is its own subject prefix but the same bucket and connection name: wait
        // for the killed standby's lease to lapse so the next round starts from no owner.
        await new Promise((resolve) => setTimeout(resolve, options.ttlMs + 200));
      }
    }
  } finally {
    for (const r of all) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await exchange.stop();
  }
  return summary;
}
