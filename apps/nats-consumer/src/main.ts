// A second example service: consumes the market data the owning replica fans out on NATS, with
// @nestjs/microservices' NATS transport (no exchange socket, no credentials).
//   NATS_SERVERS=nats://127.0.0.1:4222 node dist/apps/nats-consumer/src/main.js
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { connectionSubjects } from '@exchange-connection/nats';
import { marketConsumerModule } from './consumer.module.js';

const servers = (process.env['NATS_SERVERS'] ?? 'nats://127.0.0.1:4222').split(',');
const prefix = process.env['NATS_SUBJECT_PREFIX'] ?? 'exchange';
const connection = process.env['EXCHANGE_CONNECTION'] ?? 'deribit';

const app = await NestFactory.createMicroservice<MicroserviceOptions>(
  marketConsumerModule(`${connectionSubjects(prefix, connection).channelPrefix}.>`),
  { transport: Transport.NATS, options: { servers } },
);
app.enableShutdownHooks();
await app.listen();
