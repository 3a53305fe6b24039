/**
 * Another Nest service consumes the fan-out with @nestjs/microservices' NATS transport
 * (`@EventPattern`), without a socket of its own: apps/nats-consumer.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { DeribitAdapter, noJitter } from '@exchange-connection/core';
import { NatsCoordination, connectionSubjects } from '@exchange-connection/nats';
import { TestExchange } from '@exchange-connection/testkit';
import { marketConsumerModule } from '../../apps/nats-consumer/src/consumer.module.js';
import { NotificationLog } from '../../apps/nats-consumer/src/notification-log.js';
import { NATS_URL, deleteBucket, uniqueNames, waitUntil } from './support/nats-test-support.js';

const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const TRADES = 'trades.BTC-PERPETUAL.100ms';

describe('apps/nats-consumer: @EventPattern on the fan-out subjects', () => {
  let exchange: TestExchange;
  let coordination: NatsCoordination;
  let consumer: INestMicroservice;
  const names = uniqueNames('consumer');

  beforeAll(async () => {
    exchange = await TestExchange.start({ port: 0, seed: 3, feedIntervalMs: 20 });
    consumer = await NestFactory.createMicroservice<MicroserviceOptions>(
      marketConsumerModule(`${connectionSubjects(names.prefix, 'deribit').channelPrefix}.>`),
      { transport: Transport.NATS, options: { servers: [NATS_URL] }, logger: false },
    );
    await consumer.listen();
    // Nobody in the replica set consumes these channels: fanOutChannels makes the owner publish them.
    coordination = new NatsCoordination({
      servers: NATS_URL,
      instanceId: 'owner',
      bucket: names.bucket,
      subjectPrefix: names.prefix,
      ttlMs: 3_000,
      fanOutChannels: { deribit: [TICKER, TRADES] },
    });
    coordination
      .coordinate({
        name: 'deribit',
        url: exchange.url,
        venue: new DeribitAdapter({}),
        rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
      })
      .start();
  });

  afterAll(async () => {
    await coordination.close();
    await consumer.close();
    await exchange.stop();
    await deleteBucket(names.bucket);
  });

  it('receives every channel the owner fans out, in sequence, with no gap', async () => {
    const log = consumer.get(NotificationLog);
    await waitUntil(
      () => [TICKER, TRADES].every((c) => (log.channels.get(c)?.received ?? 0) >= 20),
      20_000,
      'notifications of both channels',
    );
    for (const channel of [TICKER, TRADES]) {
      const tally = log.channels.get(channel);
      expect(tally).toMatchObject({ gaps: 0, stale: 0, epochs: [expect.any(Number)] });
    }
    expect((log.channels.get(TICKER)?.last as { instrument_name?: string }).instrument_name).toBe('BTC-PERPETUAL');
  });
});
