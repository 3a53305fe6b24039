import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ExchangeConnectionHealthIndicator } from '@exchange-connection/nestjs/health';
import { DataSourceHealthIndicator } from './data-source.health.js';

/**
 * Liveness and readiness. The indicator reports state, reason, age and counters per connection;
 * it never carries a URL credential, client id or secret. `source` says when data is from a test exchange.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly exchange: ExchangeConnectionHealthIndicator,
    private readonly source: DataSourceHealthIndicator,
  ) {}

  /** 200 while ready or recovering (degraded), 503 when a circuit is open or a connection closed. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.exchange.isHealthy('exchange'), () => this.source.check('source')]);
  }

  /** 503 unless every connection is ready: take this instance out of a load balancer meanwhile. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.exchange.isReady('exchange'), () => this.source.check('source')]);
  }
}
