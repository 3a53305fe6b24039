import { Logger, type LoggerService } from '@nestjs/common';
import { LogThrottle, suppressedNote } from '../logging/log-throttle.js';
import { printableText } from '../logging/printable-text.js';

/**
 * Terminus logs every failed health check, and anyone can ask `GET /health` as often as they
 * like: here a failure is one line (Terminus's JSON style), at most once per interval, with a
 * count of the failures not logged. The connection's own state changes are logged where they
 * happen; this line only says that /health answered 503.
 */
export class HealthCheckLogger implements LoggerService {
  private readonly logger = new Logger('HealthCheckService');

  constructor(private readonly throttle = new LogThrottle()) {}

  log(message: unknown): void {
    this.logger.log(String(message));
  }

  warn(message: unknown): void {
    this.logger.warn(String(message));
  }

  error(message: unknown): void {
    const admitted = this.throttle.admit('health-check-failed');
    if (admitted === undefined) return;
    this.logger.warn(`${printableText(String(message), 600)}${suppressedNote(admitted)}`);
  }
}
