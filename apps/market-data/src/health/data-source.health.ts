import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DATA_SOURCE, type DataSource } from '../config/data-source.js';

/**
 * `source` in /health: which connections are served by a test exchange. Always up — fake prices
 * are a fact to state, not an outage — but stated plainly, so "ready" is never mistaken for
 * "ready with real prices".
 */
@Injectable()
export class DataSourceHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(DATA_SOURCE) private readonly source: DataSource,
  ) {}

  check(key: string): HealthIndicatorResult {
    const testExchange = [...this.source.testExchange];
    const session = this.indicator.check(key);
    if (testExchange.length === 0) return session.up({ testExchange });
    return session.up({
      testExchange,
      warning: `${testExchange.join(', ')}: data from a test exchange (seeded fake prices, not the venue)`,
    });
  }
}
