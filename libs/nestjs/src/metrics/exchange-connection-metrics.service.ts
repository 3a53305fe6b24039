import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import type { ExchangeConnectionModuleOptions } from '../module/exchange-connection-options.js';
import { EXCHANGE_CONNECTION_MODULE_OPTIONS } from '../module/exchange-connection.tokens.js';
import { ConnectionMetrics } from './connection-metrics.js';

/**
 * Registers the connection metrics into `options.metrics.registry` when it is set. Created at
 * module init, before the supervisor connects on bootstrap, so the first build is measured too.
 */
@Injectable()
export class ExchangeConnectionMetricsService implements OnModuleInit, OnModuleDestroy {
  private metrics: ConnectionMetrics | undefined;

  constructor(
    @Inject(EXCHANGE_CONNECTION_MODULE_OPTIONS) private readonly options: ExchangeConnectionModuleOptions,
    private readonly supervisor: ConnectionSupervisorService,
  ) {}

  get collector(): ConnectionMetrics | undefined {
    return this.metrics;
  }

  onModuleInit(): void {
    if (this.options.metrics === undefined) return;
    this.metrics = new ConnectionMetrics(() => this.supervisor.list(), this.options.metrics);
  }

  onModuleDestroy(): void {
    this.metrics?.dispose();
    this.metrics = undefined;
  }
}
