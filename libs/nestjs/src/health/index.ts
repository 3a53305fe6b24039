// @exchange-connection/nestjs/health — needs @nestjs/terminus (an optional peer of the package).
export { ExchangeConnectionHealthModule } from './exchange-connection-health.module.js';
export { ExchangeConnectionHealthIndicator, type ConnectionHealthDetail } from './exchange-connection.health.js';
