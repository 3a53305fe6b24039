import { type DynamicModule, Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { MarketDataService } from './market-data.service.js';
import { MarketStreamGateway } from './market-stream.gateway.js';
import { DEFAULT_STREAM_LIMITS, STREAM_LIMITS, type StreamLimits } from './stream-limits.js';

@Module({})
export class TickerModule {
  static register(limits: Partial<StreamLimits> = {}): DynamicModule {
    return {
      module: TickerModule,
      imports: [StatusModule],
      providers: [
        MarketDataService,
        MarketStreamGateway,
        { provide: STREAM_LIMITS, useValue: { ...DEFAULT_STREAM_LIMITS, ...limits } },
      ],
      exports: [MarketDataService],
    };
  }
}
