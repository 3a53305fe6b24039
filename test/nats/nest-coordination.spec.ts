/**
 * The Nest face: `coordination` on ExchangeConnectionModule, built from the environment
 * (NATS_SERVERS turns it on, EXCHANGE_INSTANCE_ID names the replica). Two apps in one process
 * stand for two replicas; health and stats show who owns the connection.
 */
import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ConnectionSupervisorService,
  ExchangeConnectionModule,
  getExchangeConnectionToken,
  type ExchangeConnection,
} from '@exchange-connection/nestjs';
import { ExchangeConnectionHealthIndicator, ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { ConnectionMetrics } from '@exchange-connection/nestjs/metrics';
import { Registry } from 'prom-client';
import { CoordinatedConnection, natsCoordinationFromEnv, type CoordinatedConnectionStats } from '@exchange-connection/nats';
import type { TestExchange } from '@exchange-connection/testkit';
import { captureLogger, startExchange } from '../supervisor/fixtures.js';
import { connectionConfig } from '../nest/nest-fixtures.js';
import { NATS_URL, deleteBucket, uniqueNames, waitUntil } from './support/nats-test-support.js';

describe('ExchangeConnectionModule with coordination from the environment', () => {
  let exchange: TestExchange;
  const apps: TestingModule[] = [];
  const names = uniqueNames('nest');

  beforeAll(async () => {
    exchange = await startExchange();
  });

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await exchange.stop();
    await deleteBucket(names.bucket);
  });

  async function boot(instance: string): Promise<TestingModule> {
    const env = {
      NATS_SERVERS: NATS_URL,
      EXCHANGE_INSTANCE_ID: instance,
      NATS_BUCKET: names.bucket,
      NATS_SUBJECT_PREFIX: names.prefix,
      NATS_LEASE_TTL_MS: '3000',
    };
    const app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRoot({
          connections: [connectionConfig('deribit', exchange.url)],
          coordination: natsCoordinationFromEnv(env),
          logger: captureLogger(),
          isGlobal: true,
        }),
        ExchangeConnectionHealthModule,
      ],
    }).compile();
    await app.init();
    apps.push(app);
    return app;
  }

  it('is off without NATS_SERVERS', () => {
    expect(natsCoordinationFromEnv({})).toBeUndefined();
    expect(() => natsCoordinationFromEnv({ NATS_SERVERS: NATS_URL, NATS_LEASE_TTL_MS: 'soon' })).toThrow(/NATS_LEASE_TTL_MS/);
  });

  it('one replica owns the connection, the other serves it; health shows the ownership; closing the owner hands over', async () => {
    const first = await boot('replica-1');
    const one = first.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
    expect(one).toBeInstanceOf(CoordinatedConnection);
    await one.whenReady(10_000);
    const second = await boot('replica-2');
    const two = second.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
    await two.whenReady(10_000);

    const health = (app: TestingModule) => app.get(ExchangeConnectionHealthIndicator).isHealthy();
    expect(health(first)).toMatchObject({
      exchange: { status: 'up', connections: { deribit: { state: 'ready', ownership: { role: 'owner', owner: 'replica-1' } } } },
    });
    expect(health(second)).toMatchObject({
      exchange: {
        status: 'up',
        connections: { deribit: { state: 'ready', ownership: { role: 'standby', owner: 'replica-1' } } },
      },
    });
    // Metrics: who owns it, under which epoch.
    // Metrics: who owns it, under which epoch (each replica has its own registry, as each app does).
    const sample = async (connection: ExchangeConnection, metric: string) => {
      const registry = new Registry();
      const metrics = new ConnectionMetrics(() => [connection], { registry });
      const values = (await registry.getSingleMetric(metric)?.get())?.values.map((v) => v.value);
      metrics.dispose();
      return values;
    };
    expect(await sample(one, 'exchange_connection_lease_owner')).toEqual([1]);
    expect(await sample(two, 'exchange_connection_lease_owner')).toEqual([0]);
    expect(await sample(two, 'exchange_connection_lease_epoch')).toEqual(await sample(one, 'exchange_connection_lease_epoch'));
    const stats = second.get(ConnectionSupervisorService).get('deribit').stats() as CoordinatedConnectionStats;
    expect(stats.coordination).toMatchObject({ instanceId: 'replica-2', role: 'standby' });
    expect(exchange.connections().filter((c) => c.authenticated)).toHaveLength(1);

    await first.close();
    apps.splice(apps.indexOf(first), 1);
    await waitUntil(
      () => (two as CoordinatedConnection).ownership.role === 'owner' && two.state === 'ready',
      10_000,
      'replica-2 owns',
    );
    expect(health(second)).toMatchObject({
      exchange: { connections: { deribit: { ownership: { role: 'owner', owner: 'replica-2' } } } },
    });
    expect(exchange.connections().filter((c) => c.authenticated)).toHaveLength(1);
  });
});
