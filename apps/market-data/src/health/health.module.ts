import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' }), ExchangeConnectionHealthModule],
  controllers: [HealthController],
})
export class HealthModule {}
