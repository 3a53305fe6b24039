import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ExchangeConnectionModule, type ExchangeConnectionModuleOptions, exchangeConnectionsFromEnv } from '#exchange-connection';
import { HealthModule } from './health/health.module.js';
import { ShutdownTasks, SHUTDOWN_TASKS, type ShutdownTask } from './shutdown-tasks.js';
import type { StreamLimits } from './ticker/stream-limits.js';
import { TickerModule } from './ticker/ticker.module.js';
import { DERIBIT_CONNECTION } from './ticker/market-data.service.js';

export interface AppModuleOptions {
  /** Connection config built in code (embedded test exchange); default: from the environment. */
  connections?: ExchangeConnectionModuleOptions;
  stream?: Partial<StreamLimits>;
  /** Run after the connections are closed (e.g. stop an embedded exchange). */
  onShutdown?: ShutdownTask[];
}

/** Options are captured per call (no module-level state), so two apps in one process stay apart. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: false }),
        ExchangeConnectionModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (env: ConfigService) => options.connections ?? exchangeConnectionsFromEnv(env),
          connectionNames: [DERIBIT_CONNECTION],
        }),
        TickerModule.register(options.stream),
        HealthModule,
      ],
      providers: [ShutdownTasks, { provide: SHUTDOWN_TASKS, useValue: options.onShutdown ?? [] }],
    };
  }
}
