import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConnection } from './app-connections.js';

/** Where each connection's data comes from, as far as the app knows it. */
export interface DataSource {
  /** Connections served by a test exchange (seeded feed, not real prices): /health and /status say so. */
  testExchange: readonly string[];
  /** Every connection of the app, in order, with its venue (the gateway's first is its default). */
  connections: readonly AppConnection[];
}

export const DATA_SOURCE = Symbol('MarketDataDataSource');

/** Provides DATA_SOURCE to every module of the app (health, status, gateway). */
@Module({})
export class DataSourceModule {
  static forRoot(source: DataSource): DynamicModule {
    return {
      module: DataSourceModule,
      global: true,
      providers: [{ provide: DATA_SOURCE, useValue: source }],
      exports: [DATA_SOURCE],
    };
  }
}
