import { type DynamicModule, Module } from '@nestjs/common';
import type { ConnectionMetricsOptions } from './connection-metrics.js';
import { ExchangeConnectionMetricsService } from './exchange-connection-metrics.service.js';
import { EXCHANGE_CONNECTION_METRICS_OPTIONS } from './exchange-connection-metrics.tokens.js';

/**
 * Prometheus metrics for every connection of the app's ExchangeConnectionModule, into the registry
 * given here (never prom-client's global one: two apps in one process stay apart). Serving them
 * (`GET /metrics`) is the app's: `registry.metrics()`.
 */
@Module({})
export class ExchangeConnectionMetricsModule {
  static forRoot(options: ConnectionMetricsOptions): DynamicModule {
    return {
      module: ExchangeConnectionMetricsModule,
      providers: [{ provide: EXCHANGE_CONNECTION_METRICS_OPTIONS, useValue: options }, ExchangeConnectionMetricsService],
      exports: [ExchangeConnectionMetricsService],
    };
  }
}
