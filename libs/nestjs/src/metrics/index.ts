// @exchange-connection/nestjs/metrics — needs prom-client (an optional peer of the package).
export { ExchangeConnectionMetricsModule } from './exchange-connection-metrics.module.js';
export { ExchangeConnectionMetricsService } from './exchange-connection-metrics.service.js';
export {
  ConnectionMetrics,
  type ConnectionMetricsOptions,
  type ConnectionSource,
  CONNECTION_STATES,
  CIRCUIT_STATES,
} from './connection-metrics.js';
