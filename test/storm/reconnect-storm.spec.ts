import { type ExchangeConnection } from '@exchange-connection/core';
import { ConnectionSupervisorService } from '@exchange-connection/nestjs';
import { TestExchange } from '@exchange-connection/testkit';
import { SchedulerRegistry } from '@nestjs/schedule';
import { FLEET_CHANNEL, fleetConfig } from '../../bench/fleet.js';
import { runStorm } from '../../bench/storm/reconnect-storm.js';
import { monotonicMs } from '../../bench/support/exchange-host-protocol.js';
import { silentLogger } from '../../bench/support/silent-logger.js';

const CONNECTIONS = 300;
const WINDOW_MS = 2_000;

// The full 1,000-connection storm (exchange in another process) is part of `npm run bench`.
describe(`reconnect storm: ${CONNECTIONS} supervised connections lose their sockets at once`, () => {
  let exchanges: TestExchange[] = [];
  let service: ConnectionSupervisorService | undefined;

  afterEach(async () => {
    await service?.beforeApplicationShutdown();
    service = undefined;
    await Promise.all(exchanges.map((e) => e.stop()));
    exchanges = [];
  });

  it('spreads the first reconnect attempts over the full-jitter window and gets every connection back', async () => {
    exchanges = await Promise.all([0, 1].map(() => TestExchange.start({ port: 0, feedIntervalMs: 0, requestLogLimit: 100 })));
    service = new ConnectionSupervisorService(
      {
        connections: Array.from({ length: CONNECTIONS }, (_, i) =>
          fleetConfig(`storm-${i}`, (exchanges[i % exchanges.length] as TestExchange).url, WINDOW_MS),
        ),
        logger: silentLogger(),
      },
      new SchedulerRegistry(),
    );
    const connections: ExchangeConnection[] = service.list();
    const consumers = connections.map((c) => c.channel$(FLEET_CHANNEL).subscribe(() => undefined));
    service.onApplicationBootstrap();
    await Promise.all(connections.map((c) => c.whenReady(20_000)));

    const result = await runStorm(
      connections,
      () => {
        for (const exchange of exchanges) exchange.terminateAll();
        return monotonicMs();
      },
      { windowMs: WINDOW_MS, timeoutMs: 15_000 },
    );
    for (const c of consumers) c.unsubscribe();

    // The delays chosen: uniform over [0, window] (full jitter), no spike.
    expect(result.scheduled.samples).toBe(CONNECTIONS);
    expect(result.scheduled.maxMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(result.scheduled.spanP5P95).toBeGreaterThanOrEqual(0.8);
    expect(result.scheduled.maxBucketOverMean).toBeLessThanOrEqual(3);
    // The attempts as they happened keep to that schedule: none starts before its delay. How they
    // bunch into buckets is the bench's to measure: on a loaded machine an event-loop stall makes
    // due timers fire together, which says nothing about the supervisor.
    expect(result.early).toBe(0);
    expect(result.attempts.spanP5P95).toBeGreaterThanOrEqual(0.7);
    expect(result.retried).toBe(0);
    expect(result.allReadyMs).toBeLessThan(WINDOW_MS + 5_000);
    expect(connections.every((c) => c.state === 'ready')).toBe(true);
    expect(exchanges.reduce((n, e) => n + e.connections().length, 0)).toBe(CONNECTIONS);
  }, 60_000);
});
