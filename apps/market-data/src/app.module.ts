import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  ExchangeConnectionModule,
  type ExchangeConnectionModuleOptions,
  SecretRedactor,
  exchangeConnectionFromEnv,
  exchangeModuleSettingsFromEnv,
} from '@exchange-connection/nestjs';
import { ExchangeConnectionMetricsModule } from '@exchange-connection/nestjs/metrics';
import { natsCoordinationFromEnv } from '@exchange-connection/nats';
import { Registry } from 'prom-client';
import { type AppConnection, defaultVenueOf, readAppConnections } from './config/app-connections.js';
import { DataSourceModule } from './config/data-source.js';
import { HealthModule } from './health/health.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { ShutdownTasks, SHUTDOWN_TASKS, type ShutdownTask } from './shutdown-tasks.js';
import type { ChannelRetryOptions } from './ticker/channel-feeds.js';
import type { StreamLimits } from './ticker/stream-limits.js';
import { TickerModule } from './ticker/ticker.module.js';
import { appVenue, refuseUnservedMarket } from './venues/app-venues.js';

export interface AppModuleOptions {
  /** Connection config built in code (embedded test exchange); default: from the environment. */
  connections?: ExchangeConnectionModuleOptions;
  stream?: Partial<StreamLimits>;
  /** Back-off of a channel the venue refused (or that failed), before it is asked for again. */
  channelRetry?: Partial<ChannelRetryOptions>;
  /** Connections served by a test exchange (embedded, demo): /health and /status say so plainly. */
  testExchange?: string[];
  /** Run after the connections are closed (e.g. stop an embedded exchange). */
  onShutdown?: ShutdownTask[];
  /** Shared with the app's logger so configured secrets are removed from its lines too (default: a new one). */
  redactor?: SecretRedactor;
  /** Where /metrics reads from (default: a new Registry per app, never prom-client's global one). */
  registry?: Registry;
  /** Status stream push interval, ms (default 1000). */
  statusIntervalMs?: number;
}

/** Options are captured per call (no module-level state), so two apps in one process stay apart. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const registry = options.registry ?? new Registry();
    const redactor = options.redactor ?? new SecretRedactor();
    // First: it loads .env into process.env, where EXCHANGE_CONNECTIONS may be.
    const config = ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: false });
    const connections = appConnectionsOf(options.connections);
    return {
      module: AppModule,
      imports: [
        config,
        ObservabilityModule.forRoot({ registry, redactor, statusIntervalMs: options.statusIntervalMs ?? 1_000 }),
        // Global: the ticker, status and health modules inject the connection without importing this.
        options.connections
          ? ExchangeConnectionModule.forRoot({ ...options.connections, redactor, isGlobal: true })
          : ExchangeConnectionModule.forRootAsync({
              isGlobal: true,
              inject: [ConfigService],
              // NATS_SERVERS set: replicas of this app share each connection (one owner, data fanned out).
              useFactory: (env: ConfigService) => ({
                ...exchangeModuleSettingsFromEnv(env),
                redactor,
                coordination: natsCoordinationFromEnv(env),
              }),
              connections: connections.map(({ name }) =>
                exchangeConnectionFromEnv(name, { inject: ConfigService, defaultVenue: defaultVenueOf }),
              ),
            }),
        ExchangeConnectionMetricsModule.forRoot({ registry }),
        DataSourceModule.forRoot({ testExchange: options.testExchange ?? [], connections }),
        TickerModule.register(options.stream, options.channelRetry),
        HealthModule,
      ],
      providers: [ShutdownTasks, { provide: SHUTDOWN_TASKS, useValue: options.onShutdown ?? [] }],
    };
  }
}

/**
 * The app's connections and their venues: from the options built in code, else from
 * EXCHANGE_CONNECTIONS. A venue this app has no channel list for fails here, naming the connection.
 */
function appConnectionsOf(options: ExchangeConnectionModuleOptions | undefined): AppConnection[] {
  const connections =
    options === undefined
      ? readAppConnections(process.env)
      : options.connections.map((c) => {
          refuseUnservedMarket(c, 'set its market to one the app serves');
          return { name: c.name, venue: typeof c.venue === 'string' ? c.venue : c.venue.venue };
        });
  return connections.map(({ name, venue }) => {
    appVenue(name, venue);
    return { name, venue } as AppConnection;
  });
}
