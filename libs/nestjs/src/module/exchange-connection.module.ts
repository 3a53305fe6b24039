import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import { ExchangeConnectionHealthIndicator } from '../health/exchange-connection.health.js';
import { ExchangeConnectionMetricsService } from '../metrics/exchange-connection-metrics.service.js';
import {
  EXCHANGE_CONNECTION_ASYNC_OPTIONS_TYPE,
  EXCHANGE_CONNECTION_OPTIONS_TYPE,
  ExchangeConnectionConfigurableModule,
} from './exchange-connection.module-definition.js';

/**
 * Owns every configured connection: one ConnectionSupervisorService connects them on bootstrap,
 * sweeps them on a SchedulerRegistry interval, and closes them on shutdown. Each connection is
 * injectable by name with @InjectExchangeConnection(name).
 */
@Module({
  imports: [ScheduleModule.forRoot(), TerminusModule],
  providers: [ConnectionSupervisorService, ExchangeConnectionHealthIndicator, ExchangeConnectionMetricsService],
  exports: [ConnectionSupervisorService, ExchangeConnectionHealthIndicator, ExchangeConnectionMetricsService],
})
export class ExchangeConnectionModule extends ExchangeConnectionConfigurableModule {
  static override forRoot(options: typeof EXCHANGE_CONNECTION_OPTIONS_TYPE): DynamicModule {
    const connectionNames = options.connectionNames ?? options.connections.map((c) => c.name);
    return super.forRoot({ ...options, connectionNames });
  }

  /** Pass `connectionNames` to get an injection token per name; others are reachable via ConnectionSupervisorService.get. */
  static override forRootAsync(options: typeof EXCHANGE_CONNECTION_ASYNC_OPTIONS_TYPE): DynamicModule {
    return super.forRootAsync(options);
  }
}
