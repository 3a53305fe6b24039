import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExchangeConnectionHealthIndicator } from './exchange-connection.health.js';

/**
 * Provides ExchangeConnectionHealthIndicator for the app's `/health` controller. Import it where
 * the controller lives, next to TerminusModule; it finds the app's ExchangeConnectionModule by itself.
 */
@Module({
  imports: [TerminusModule],
  providers: [ExchangeConnectionHealthIndicator],
  exports: [ExchangeConnectionHealthIndicator],
})
export class ExchangeConnectionHealthModule {}
