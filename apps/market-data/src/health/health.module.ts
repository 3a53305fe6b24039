import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { DataSourceHealthIndicator } from './data-source.health.js';
import { HealthCheckLogger } from './health-check-logger.js';
import { HealthController } from './health.controller.js';

/** DATA_SOURCE comes from DataSourceModule (global). */
@Module({
  imports: [
    // One line per failed-check interval (HealthCheckLogger), not a multi-line entry per request.
    TerminusModule.forRootAsync({ useFactory: () => ({ errorLogStyle: 'json', logger: new HealthCheckLogger() }) }),
    ExchangeConnectionHealthModule,
  ],
  controllers: [HealthController],
  providers: [DataSourceHealthIndicator],
})
export class HealthModule {}
