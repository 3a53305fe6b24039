import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { connectionsOf, findSupervisors } from '../supervisor/find-supervisors.js';
import { ConnectionMetrics, type ConnectionMetricsOptions } from './connection-metrics.js';
import { EXCHANGE_CONNECTION_METRICS_OPTIONS } from './exchange-connection-metrics.tokens.js';

/**
 * Registers the connection metrics into the given registry. Created at module init, before the
 * supervisor connects on bootstrap, so the first build is measured too.
 */
@Injectable()
export class ExchangeConnectionMetricsService implements OnModuleInit, OnModuleDestroy {
  private metrics: ConnectionMetrics | undefined;

  constructor(
    @Inject(EXCHANGE_CONNECTION_METRICS_OPTIONS) private readonly options: ConnectionMetricsOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  get collector(): ConnectionMetrics | undefined {
    return this.metrics;
  }

  onModuleInit(): void {
    const supervisors = findSupervisors(this.moduleRef, 'ExchangeConnectionMetricsModule');
    this.metrics = new ConnectionMetrics(() => connectionsOf(supervisors), this.options);
  }

  onModuleDestroy(): void {
    this.metrics?.dispose();
    this.metrics = undefined;
  }
}
