import { Controller, Module, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { FanOutEnvelope } from '@exchange-connection/nats';
import { NotificationLog } from './notification-log.js';

/**
 * A service that never opens an exchange socket: it consumes what the owning replica publishes,
 * with `@nestjs/microservices`' NATS transport. `subjectPattern` is a NATS subject, wildcards
 * allowed (`exchange.deribit.ch.>` = every channel of the connection `deribit`); each message is
 * a `FanOutEnvelope` (`{ e, s, t, c, d }`). Built by a function because the pattern comes from
 * the environment and a decorator's argument is fixed when the class is defined.
 */
export function marketConsumerModule(subjectPattern: string): Type {
  @Controller()
  class FanOutController {
    constructor(private readonly log: NotificationLog) {}

    // Typed: the payload of every subject matching the pattern is a FanOutEnvelope.
    @EventPattern<Record<string, FanOutEnvelope>>(subjectPattern)
    onNotification(@Payload() envelope: FanOutEnvelope): void {
      this.log.record(envelope);
    }
  }

  @Module({ controllers: [FanOutController], providers: [NotificationLog] })
  class MarketConsumerModule {}

  return MarketConsumerModule;
}
