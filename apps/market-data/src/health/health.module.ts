import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DataSourceHealthIndicator } from './data-source.health.js';
import { HealthCheckLogger } from './health-check-logger.js';
import { HealthController } from './health.controller.js';

/** ExchangeConnectionHealthIndicator comes from the (global) ExchangeConnectionModule; DATA_SOURCE from DataSourceModule. */
@Module({
  // One line per failed-check interval (HealthCheckLogger), not a multi-line entry per request.
  imports: [TerminusModule.forRootAsync({ useFactory: () => ({ errorLogStyle: 'json', logger: new HealthCheckLogger() }) })],
  controllers: [HealthController],
  providers: [DataSourceHealthIndicator],
})
export class HealthModule {}
