/**
 * Two replicas in one process (each its own NatsCoordination, its own NATS connection) against a
 * real NATS server with JetStream (127.0.0.1:4222, or NATS_TEST_URL) and the Deribit test
 * exchange. The multi-process scenarios (SIGKILL, SIGSTOP, SIGTERM, cut from NATS) are in
 * replicas.spec.ts; this file checks the contract itself quickly.
 */
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { DeribitAdapter, ExchangeConnectionError, noJitter, type SupervisedConnectionOptions } from '@exchange-connection/core';
import { NatsCoordination, type CoordinatedConnection } from '@exchange-connection/nats';
import { FaultProxy, TestExchange } from '@exchange-connection/testkit';
import { NATS_URL, deleteBucket, uniqueNames, waitUntil } from './support/nats-test-support.js';

const CREDENTIALS = { kind: 'client_credentials' as const, clientId: 'test-client', clientSecret: 'test-secret' };

function connectionOptions(url: string): SupervisedConnectionOptions {
  return {
    name: 'deribit',
    url,
    venue: new DeribitAdapter({}),
    session: { credentials: CREDENTIALS, heartbeatIntervalSec: 0.5, cancelOnDisconnect: { scope: 'connection' } },
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
    silenceTimeoutMs: 3_000,
  };
}

describe('NATS coordination: one owner, fan-out, relayed requests (in one process)', () => {
  let exchange: TestExchange;
  const coordinations: NatsCoordination[] = [];
  const buckets: string[] = [];

  beforeEach(async () => {
    exchange = await TestExchange.start({ port: 0, seed: 7, feedIntervalMs: 20, minHeartbeatIntervalSec: 0.2 });
  });

  afterEach(async () => {
    await Promise.allSettled(coordinations.splice(0).map((c) => c.close()));
    await exchange.stop();
    await Promise.allSettled(buckets.splice(0).map((b) => deleteBucket(b)));
  });

  function replica(id: string, names: ReturnType<typeof uniqueNames>, servers = NATS_URL): CoordinatedConnection {
    const coordination = new NatsCoordination({
      servers,
      instanceId: id,
      bucket: names.bucket,
      subjectPrefix: names.prefix,
      ttlMs: 2_000,
      renewIntervalMs: 500,
      fenceMarginMs: 400,
    });
    coordinations.push(coordination);
    const connection = coordination.coordinate(connectionOptions(exchange.url));
    connection.start();
    return connection;
  }

  const authenticated = () => exchange.connections().filter((c) => c.authenticated).length;

  it('elects one owner; the standby gets channel data over NATS and relays requests to the owner', async () => {
    const names = uniqueNames('basic');
    buckets.push(names.bucket);
    const a = replica('a', names);
    await a.whenReady(10_000);
    const b = replica('b', names);
    await b.whenReady(10_000);
    expect(a.ownership.role).toBe('owner');
    expect(b.ownership).toEqual({ role: 'standby', epoch: a.ownership.epoch, owner: 'a' });
    expect(authenticated()).toBe(1);

    const ticks = await firstValueFrom(
      b.channel$<{ instrument_name: string }>('ticker.BTC-PERPETUAL.100ms').pipe(take(5), toArray()),
    );
    expect(ticks.map((t) => t.instrument_name)).toEqual(Array(5).fill('BTC-PERPETUAL'));
    expect(exchange.connections().map((c) => c.subscriptions)).toEqual([['ticker.BTC-PERPETUAL.100ms']]);

    const time = await b.request<number>('public/get_time');
    expect(typeof time).toBe('number');
    expect(a.stats().coordination.servedRequests).toBe(1);
    await expect(b.request('private/no_such_method')).rejects.toMatchObject({ code: expect.any(String) });
    expect(authenticated()).toBe(1);
  });

  it('graceful close hands the lease over at once; the standby restores the session and its consumers keep receiving', async () => {
    const names = uniqueNames('handover');
    buckets.push(names.bucket);
    const a = replica('a', names);
    await a.whenReady(10_000);
    const b = replica('b', names);
    await b.whenReady(10_000);
    const received: unknown[] = [];
    let completed = false;
    const sub = b
      .channel$('ticker.BTC-PERPETUAL.100ms')
      .subscribe({ next: (t) => received.push(t), complete: () => (completed = true) });
    await waitUntil(() => received.length >= 3, 10_000, 'ticks through NATS');
    // A standby mirrors the owner's 'ready'; the moment it owns, it has no session yet.
    const stateWhenOwning: string[] = [];
    b.ownership$.subscribe((o) => {
      if (o.role === 'owner') stateWhenOwning.push(b.state);
    });
    const closed = a.close();
    await firstValueFrom(b.ownership$.pipe(filter((o) => o.role === 'owner')));
    await closed;
    await b.whenReady(10_000);
    const before = received.length;
    await waitUntil(() => received.length >= before + 3, 10_000, 'ticks from the new owner');
    expect(completed).toBe(false);
    expect(stateWhenOwning).toEqual(['connecting']);
    expect(b.stats().coordination.acquisitions).toBe(1);
    expect(authenticated()).toBe(1);
    sub.unsubscribe();
  });

  it('a book consumer joining a live book on a standby starts at a fresh snapshot the owner brings', async () => {
    const names = uniqueNames('latebook');
    buckets.push(names.bucket);
    const a = replica('a', names);
    await a.whenReady(10_000);
    const b = replica('b', names);
    await b.whenReady(10_000);
    const book = 'book.BTC-PERPETUAL.100ms';
    const first: Record<string, unknown>[] = [];
    const sub1 = b.channel$<Record<string, unknown>>(book).subscribe((m) => first.push(m));
    await waitUntil(() => first.length >= 5, 10_000, 'the first consumer receives the book');
    const subscribesBefore = exchange.requestLog.filter((r) => r.method === 'public/subscribe').length;
    const late = await firstValueFrom(b.channel$<Record<string, unknown>>(book).pipe(take(3), toArray()));
    expect(late[0]?.['type']).toBe('snapshot');
    expect(late[1]?.['prev_change_id']).toBe(late[0]?.['change_id']);
    // The owner resubscribed the channel to bring the snapshot.
    expect(exchange.requestLog.filter((r) => r.method === 'public/subscribe').length).toBeGreaterThan(subscribesBefore);
    // The first consumer's chain holds through the snapshot restart.
    let last: number | undefined;
    for (const m of first) {
      if (m['type'] === 'snapshot') last = m['change_id'] as number;
      else {
        expect(m['prev_change_id']).toBe(last);
        last = m['change_id'] as number;
      }
    }
    sub1.unsubscribe();
  });

  it('a relayed request in flight when the owner leaves fails (DISCONNECTED) and is sent to the venue exactly once', async () => {
    const names = uniqueNames('inflight');
    buckets.push(names.bucket);
    const a = replica('a', names);
    await a.whenReady(10_000);
    const b = replica('b', names);
    await b.whenReady(10_000);
    exchange.setResponseDelay(1_000);
    const pending = b.request('private/get_cancel_on_disconnect', {}, { timeoutMs: 5_000 });
    const settled = pending.then(
      () => 'answered',
      (error: ExchangeConnectionError) => error.code,
    );
    await waitUntil(
      () => exchange.requestLog.some((r) => r.method === 'private/get_cancel_on_disconnect'),
      10_000,
      'the owner sent it',
    );
    await a.close();
    expect(['DISCONNECTED', 'CLOSED_BY_USER']).toContain(await settled);
    exchange.setResponseDelay(0);
    await b.whenReady(10_000);
    await firstValueFrom(b.ownership$.pipe(filter((o) => o.role === 'owner')));
    expect(exchange.requestLog.filter((r) => r.method === 'private/get_cancel_on_disconnect')).toHaveLength(1);
  });

  it('a second process with the same instance id does not take a live lease over', async () => {
    const names = uniqueNames('sameid');
    buckets.push(names.bucket);
    const first = replica('same', names);
    await first.whenReady(10_000);
    const second = replica('same', names);
    await second.whenReady(10_000);
    // Several of the first's renewals later, the second still stands by.
    const renewals = first.stats().coordination.renewals;
    await waitUntil(() => first.stats().coordination.renewals >= renewals + 3, 10_000, 'three renewals');
    expect(first.ownership.role).toBe('owner');
    expect(second.ownership.role).toBe('standby');
    expect(second.stats().coordination.acquisitions).toBe(0);
    expect(authenticated()).toBe(1);
  });

  it('a standby that loses NATS says reconnecting, and is fed again once NATS is back', async () => {
    const names = uniqueNames('standbynats');
    buckets.push(names.bucket);
    const url = new URL(NATS_URL);
    const proxy = await FaultProxy.start({ target: { host: url.hostname, port: Number(url.port) } });
    try {
      const a = replica('a', names);
      await a.whenReady(10_000);
      const b = replica('b', names, `nats://127.0.0.1:${proxy.port}`);
      await b.whenReady(10_000);
      const received: unknown[] = [];
      const sub = b.channel$('ticker.BTC-PERPETUAL.100ms').subscribe((t) => received.push(t));
      await waitUntil(() => received.length >= 3, 10_000, 'ticks through NATS');
      proxy.setRefuseNew(true);
      proxy.resetAll();
      await firstValueFrom(b.state$.pipe(filter((s) => s === 'reconnecting')));
      expect(b.ownership.role).toBe('standby');
      proxy.setRefuseNew(false);
      await b.whenReady(10_000);
      const before = received.length;
      await waitUntil(() => received.length >= before + 3, 10_000, 'ticks again');
      expect(a.ownership.role).toBe('owner');
      expect(authenticated()).toBe(1);
      sub.unsubscribe();
    } finally {
      await Promise.allSettled(coordinations.splice(0).map((c) => c.close()));
      proxy.resetAll();
      await proxy.stop();
    }
  });

  it('a replica whose lease TTL differs from the bucket’s refuses to start (INVALID_CONFIG naming NATS_LEASE_TTL_MS), never owning', async () => {
    const names = uniqueNames('ttl');
    buckets.push(names.bucket);
    const a = replica('a', names);
    await a.whenReady(10_000);
    const coordination = new NatsCoordination({
      servers: NATS_URL,
      instanceId: 'b',
      bucket: names.bucket,
      subjectPrefix: names.prefix,
      ttlMs: 30_000,
    });
    coordinations.push(coordination);
    const b = coordination.coordinate(connectionOptions(exchange.url));
    b.start();
    const failure = await b.whenReady(10_000).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((failure as Error).message).toMatch(
      /holds leases for 2000 ms but this replica is set to 30000 ms .*NATS_LEASE_TTL_MS/,
    );
    expect(b.state).toBe('circuit-open');
    expect(b.stats()).toMatchObject({
      circuit: 'open',
      lastError: { code: 'INVALID_CONFIG' },
      coordination: { role: 'standby' },
    });
    expect(a.ownership.role).toBe('owner');
    expect(authenticated()).toBe(1);
  });

  it('NOT_OWNER when no replica owns the connection', async () => {
    const names = uniqueNames('noowner');
    buckets.push(names.bucket);
    await exchange.stop();
    // An exchange that refuses everything: the owner never gets ready, but it owns; so test the
    // lone standby case with a coordination that never starts its connection.
    const coordination = new NatsCoordination({
      servers: NATS_URL,
      instanceId: 'x',
      bucket: names.bucket,
      subjectPrefix: names.prefix,
    });
    coordinations.push(coordination);
    const lone = coordination.coordinate(connectionOptions('ws://127.0.0.1:9'));
    await expect(lone.request('public/get_time')).rejects.toBeInstanceOf(ExchangeConnectionError);
    await expect(lone.request('public/get_time')).rejects.toMatchObject({ code: 'NOT_OWNER' });
    exchange = await TestExchange.start({ port: 0 });
  });
});
