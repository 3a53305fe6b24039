/**
 * The lease on a real JetStream KV bucket (NATS at 127.0.0.1:4222, or NATS_TEST_URL): acquire by
 * create, renew by compare-and-set, epochs that only grow, standing down when the entry is taken,
 * and self-fencing when renewals stop landing.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ConnectionLease, type LeaseCallbacks, type LeaseHolder } from './connection-lease.js';

const NATS_URL = process.env['NATS_TEST_URL'] ?? 'nats://127.0.0.1:4222';
const TIMINGS = { ttlMs: 1_500, renewIntervalMs: 300, fenceMarginMs: 300 };

interface Recorder extends LeaseCallbacks {
  events: string[];
  holders: (LeaseHolder | undefined)[];
}

function recorder(): Recorder {
  const events: string[] = [];
  const holders: (LeaseHolder | undefined)[] = [];
  return {
    events,
    holders,
    acquired: (epoch) => events.push(`acquired ${epoch}`),
    lost: (reason) => events.push(`lost ${reason}`),
    holderSeen: (holder) => holders.push(holder),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ConnectionLease on JetStream KV', () => {
  const bucket = `t_lease_${process.pid}_${randomBytes(4).toString('hex')}`;
  const connections: NatsConnection[] = [];
  const leases: ConnectionLease[] = [];

  async function kv(): Promise<KV> {
    const nc = await connect({ servers: NATS_URL });
    connections.push(nc);
    return new Kvm(jetstream(nc, { timeout: TIMINGS.renewIntervalMs })).create(bucket, { ttl: TIMINGS.ttlMs, history: 1 });
  }

  async function lease(id: string, events = recorder()): Promise<{ lease: ConnectionLease; events: Recorder; kv: KV }> {
    const store = await kv();
    const l = new ConnectionLease(store, 'deribit', id, TIMINGS, events);
    leases.push(l);
    return { lease: l, events, kv: store };
  }

  afterEach(async () => {
    await Promise.allSettled(leases.splice(0).map((l) => l.stop(false)));
    await Promise.allSettled(connections.splice(0).map((nc) => nc.close()));
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  });

  it('one owner at a time; a release lets the other acquire at once, under a higher epoch', async () => {
    const a = await lease('a');
    a.lease.start();
    await until(() => a.lease.isOwner, 'a owns');
    const b = await lease('b');
    b.lease.start();
    await until(() => b.events.holders.some((h) => h?.owner === 'a'), 'b sees a');
    expect(b.lease.isOwner).toBe(false);
    const epochA = a.lease.currentEpoch as number;
    await a.lease.stop(true);
    expect(a.events.events).toEqual([`acquired ${epochA}`, 'lost released']);
    b.lease.kick();
    await until(() => b.lease.isOwner, 'b owns');
    expect(b.lease.currentEpoch).toBeGreaterThan(epochA);
    expect(b.lease.isValid()).toBe(true);
  });

  it('renews by compare-and-set, and stands down when someone else wrote the entry', async () => {
    const a = await lease('a');
    a.lease.start();
    await until(() => a.lease.isOwner && a.lease.counters.renewals >= 2, 'a renews');
    // Another writer (a split brain this lease must not ignore): the next renewal's CAS fails.
    await a.kv.put('deribit', JSON.stringify({ owner: 'intruder', epoch: 1, n: 0 }));
    await until(() => a.events.events.includes('lost taken'), 'a stands down');
    expect(a.lease.isOwner).toBe(false);
    expect(a.lease.isValid()).toBe(false);
  });

  it('fences itself at its local deadline when renewals stop landing (NATS gone)', async () => {
    const a = await lease('a');
    a.lease.start();
    await until(() => a.lease.isOwner && a.lease.counters.renewals >= 1, 'a renews');
    const lastDeadline = performance.now() + a.lease.remainingMs();
    await (connections.at(-1) as NatsConnection).close();
    await until(() => a.events.events.includes('lost fenced'), 'a fences', TIMINGS.ttlMs * 3);
    // Never before its deadline, which is before the entry can expire at the server.
    expect(performance.now()).toBeGreaterThanOrEqual(lastDeadline - 1);
    expect(a.lease.isValid()).toBe(false);
    expect(a.lease.counters.fencings).toBe(1);
  });
});
