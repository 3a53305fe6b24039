import { type DynamicModule, Module } from '@nestjs/common';
import type { SecretRedactor } from '@exchange-connection/nestjs';
import type { Registry } from 'prom-client';
import { STATUS_INTERVAL_MS } from '../status/connection-status.service.js';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY, SECRET_REDACTOR } from './observability.tokens.js';

export interface ObservabilityOptions {
  registry: Registry;
  redactor: SecretRedactor;
  /** How often the status stream pushes a snapshot besides on every event (ages move). */
  statusIntervalMs: number;
}

/** The app's registry and redactor (one per app instance), and `GET /metrics`. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const providers = [
      { provide: METRICS_REGISTRY, useValue: options.registry },
      { provide: SECRET_REDACTOR, useValue: options.redactor },
      { provide: STATUS_INTERVAL_MS, useValue: options.statusIntervalMs },
    ];
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [MetricsController],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
