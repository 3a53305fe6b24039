import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import type { ConnectionEvent, ConnectionState, ConnectionStats, ExchangeConnection } from '@exchange-connection/core';
import { ConnectionMetrics } from './connection-metrics.js';

/** A stand-in connection: the collector only reads `name`, `state`, `events$` and `stats()`. */
function fakeConnection(name: string) {
  const events = new Subject<ConnectionEvent>();
  const stats: ConnectionStats = {
    name,
    state: 'ready',
    stateSince: 1_700_000_000_000,
    reconnects: 0,
    consecutiveFailures: 0,
    circuit: 'closed',
    subscriptions: 2,
    sessionSubscriptions: 2,
    lastRestoredSubscriptions: 2,
    messagesReceived: 10,
    lastInboundAgeMs: 250,
    inFlight: 1,
    malformedFrames: 0,
    malformedByReason: {},
    gaps: 0,
  };
  const connection = {
    name,
    get state(): ConnectionState {
      return stats.state;
    },
    events$: events.asObservable(),
    stats: () => ({ ...stats }),
  } as unknown as ExchangeConnection;
  return { connection, events, stats };
}

const value = async (registry: Registry, metric: string, labels: Record<string, string>) => {
  const json = await registry.getSingleMetric(metric)?.get();
  return json?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe('ConnectionMetrics', () => {
  it('exposes state, counters from stats() and the rebuild histogram from events$', async () => {
    const registry = new Registry();
    const a = fakeConnection('a');
    const metrics = new ConnectionMetrics(() => [a.connection], { registry });
    a.events.next({ type: 'ready', connection: 'a', cycle: 1, durationMs: 120, restoredSubscriptions: 2 });
    let text = await registry.metrics();
    expect(text).toContain('exchange_connection_state{connection="a",state="ready"} 1');
    expect(text).toContain('exchange_connection_state{connection="a",state="reconnecting"} 0');
    expect(text).toContain('exchange_connection_messages_received_total{connection="a"} 10');
    expect(text).toContain('exchange_connection_reconnects_total{connection="a"} 0');
    expect(text).toContain('exchange_connection_last_message_age_seconds{connection="a"} 0.25');
    expect(text).toContain('exchange_connection_in_flight_requests{connection="a"} 1');
    expect(text).toContain('exchange_connection_rebuild_duration_seconds_count{connection="a"} 1');

    a.stats.state = 'circuit-open';
    a.stats.circuit = 'open';
    a.stats.reconnects = 3;
    a.stats.messagesReceived = 15;
    a.stats.gaps = 1;
    a.stats.malformedFrames = 2;
    a.stats.lastInboundAgeMs = undefined;
    a.events.next({ type: 'down', connection: 'a', cycle: 4, code: 'INVALID_CREDENTIALS', message: 'x' });
    a.events.next({ type: 'circuit', connection: 'a', cycle: 4, circuit: 'open' });
    text = await registry.metrics();
    expect(text).toContain('exchange_connection_state{connection="a",state="circuit-open"} 1');
    expect(text).toContain('exchange_connection_circuit_state{connection="a",circuit="open"} 1');
    expect(text).toContain('exchange_connection_reconnects_total{connection="a"} 3');
    expect(text).toContain('exchange_connection_messages_received_total{connection="a"} 15');
    expect(text).toContain('exchange_connection_gaps_total{connection="a"} 1');
    expect(text).toContain('exchange_connection_malformed_frames_total{connection="a"} 2');
    expect(text).toContain('exchange_connection_down_total{connection="a",code="INVALID_CREDENTIALS"} 1');
    expect(text).toContain('exchange_connection_circuit_opens_total{connection="a"} 1');
    expect(text).not.toContain('exchange_connection_last_message_age_seconds{');
    metrics.dispose();
    expect(await registry.metrics()).toBe('\n');
  });

  it('counts rotations by outcome and forced switches from stats(), and their durations from events$', async () => {
    const registry = new Registry();
    const a = fakeConnection('a');
    const metrics = new ConnectionMetrics(() => [a.connection], { registry, rotationBuckets: [0.01, 0.1, 1] });
    // A connection that has not rotated yet: zero series, no duration.
    a.stats.rotations = { rotating: false, started: 0, completed: 0, failed: 0, abandoned: 0, forcedChannels: 0 };
    let text = await registry.metrics();
    expect(text).toContain('# TYPE exchange_connection_rotations_total counter');
    expect(text).toContain('exchange_connection_rotations_total{connection="a",outcome="completed"} 0');
    expect(text).toContain('exchange_connection_rotations_total{connection="a",outcome="failed"} 0');
    expect(text).toContain('exchange_connection_rotation_forced_channels_total{connection="a"} 0');
    expect(text).toContain('exchange_connection_rotating{connection="a"} 0');
    expect(text).not.toContain('exchange_connection_last_rotation_duration_seconds{');

    a.stats.rotations = {
      rotating: true,
      started: 4,
      completed: 2,
      failed: 1,
      abandoned: 0,
      forcedChannels: 3,
      lastRotationMs: 40,
    };
    const base = { type: 'rotation', connection: 'a', cycle: 2, reason: 'requested' } as const;
    a.events.next({ ...base, phase: 'started' });
    a.events.next({ ...base, phase: 'completed', durationMs: 40, channels: { joined: 2, keyless: 0, quiet: 0, forced: 3 } });
    a.events.next({ ...base, phase: 'failed', durationMs: 5, code: 'UPGRADE_REJECTED', message: 'HTTP 503' });
    text = await registry.metrics();
    expect(text).toContain('exchange_connection_rotations_total{connection="a",outcome="completed"} 2');
    expect(text).toContain('exchange_connection_rotations_total{connection="a",outcome="failed"} 1');
    expect(text).toContain('exchange_connection_rotations_total{connection="a",outcome="abandoned"} 0');
    expect(text).toContain('exchange_connection_rotation_forced_channels_total{connection="a"} 3');
    expect(text).toContain('exchange_connection_rotating{connection="a"} 1');
    expect(text).toContain('exchange_connection_last_rotation_duration_seconds{connection="a"} 0.04');
    // Only completed rotations have a duration to observe.
    expect(text).toContain('exchange_connection_rotation_duration_seconds_count{connection="a"} 1');
    expect(text).toContain('exchange_connection_rotation_duration_seconds_bucket{le="0.1",connection="a"} 1');
    expect(text).toContain('exchange_connection_rotation_duration_seconds_bucket{le="0.01",connection="a"} 0');
    // Read again without a change: counters stay where they are.
    expect(await registry.metrics()).toContain('exchange_connection_rotations_total{connection="a",outcome="completed"} 2');
    metrics.dispose();
  });

  it('keeps two apps in one process apart (own registries, same names) and picks up new connections', async () => {
    const one = new Registry();
    const two = new Registry();
    const a = fakeConnection('a');
    const b = fakeConnection('b');
    const list: ExchangeConnection[] = [a.connection];
    const m1 = new ConnectionMetrics(() => list, { registry: one });
    const m2 = new ConnectionMetrics(() => [b.connection], { registry: two });
    list.push(b.connection);
    expect(await value(one, 'exchange_connection_up', { connection: 'b' })).toBe(1);
    expect(await value(two, 'exchange_connection_up', { connection: 'a' })).toBeUndefined();
    // Counters never go down, even if a stats value does (a connection replaced under the same name).
    expect(await value(two, 'exchange_connection_messages_received_total', { connection: 'b' })).toBe(10);
    b.stats.messagesReceived = 3;
    expect(await value(two, 'exchange_connection_messages_received_total', { connection: 'b' })).toBe(10);
    m1.dispose();
    m2.dispose();
  });
});
