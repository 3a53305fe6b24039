import { type DynamicModule, Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { type ChannelRetryOptions, DEFAULT_CHANNEL_RETRY } from './channel-feeds.js';
import { CHANNEL_RETRY, MarketDataService } from './market-data.service.js';
import { MarketStreamGateway } from './market-stream.gateway.js';
import { STREAM_LIMITS, type StreamLimits, resolveStreamLimits } from './stream-limits.js';

@Module({})
export class TickerModule {
  static register(limits: Partial<StreamLimits> = {}, channelRetry: Partial<ChannelRetryOptions> = {}): DynamicModule {
    return {
      module: TickerModule,
      imports: [StatusModule],
      providers: [
        MarketDataService,
        MarketStreamGateway,
        // Checked here, so a bad limit fails at startup naming it.
        { provide: STREAM_LIMITS, useValue: resolveStreamLimits(limits) },
        { provide: CHANNEL_RETRY, useValue: { ...DEFAULT_CHANNEL_RETRY, ...channelRetry } },
      ],
      exports: [MarketDataService],
    };
  }
}
