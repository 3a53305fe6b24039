/**
 * One replica for the failover benchmark, in its own process (forked by nats-failover.ts): a
 * coordinated Deribit connection; reports ownership and state over IPC. SIGTERM closes it
 * gracefully (lease released); SIGKILL is a crash.
 */
import { DeribitAdapter, noJitter } from '@exchange-connection/core';
import { NatsCoordination } from '@exchange-connection/nats';

interface BenchReplicaConfig {
  instanceId: string;
  natsUrl: string;
  bucket: string;
  prefix: string;
  exchangeUrl: string;
  ttlMs: number;
  renewIntervalMs: number;
}

const config = JSON.parse(process.env['BENCH_REPLICA'] ?? '{}') as BenchReplicaConfig;
const send = (message: Record<string, unknown>): void => {
  if (process.connected) process.send?.({ ...message, at: Date.now() });
};
const coordination = new NatsCoordination({
  servers: config.natsUrl,
  instanceId: config.instanceId,
  bucket: config.bucket,
  subjectPrefix: config.prefix,
  ttlMs: config.ttlMs,
  renewIntervalMs: config.renewIntervalMs,
});
const connection = coordination.coordinate({
  name: 'deribit',
  url: config.exchangeUrl,
  venue: new DeribitAdapter({}),
  session: {
    credentials: { kind: 'client_credentials', clientId: 'test-client', clientSecret: 'test-secret' },
    heartbeatIntervalSec: 1,
    cancelOnDisconnect: { scope: 'connection' },
  },
  rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
});
connection.ownership$.subscribe((o) => send({ type: 'ownership', role: o.role, epoch: o.epoch }));
connection.state$.subscribe((state) => send({ type: 'state', state }));
connection.channel$('ticker.BTC-PERPETUAL.100ms').subscribe(() => undefined);
process.on('SIGTERM', () => {
  void coordination.close().then(() => process.exit(0));
});
connection.start();
