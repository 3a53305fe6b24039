/**
 * A fleet of supervised connections in one ConnectionSupervisorService (as a Nest app holds them),
 * against test exchanges in another process: memory per idle connection, sweep cost, and a
 * reconnect storm.
 */
import { type ExchangeConnection } from '@exchange-connection/core';
import { ConnectionSupervisorService, type ExchangeConnectionConfig } from '@exchange-connection/nestjs';
import { SchedulerRegistry } from '@nestjs/schedule';
import { runStorm, type StormResult } from './storm/reconnect-storm.js';
import { collectGarbage } from './support/gc.js';
import type { RemoteExchanges } from './support/remote-exchange.js';
import { silentLogger } from './support/silent-logger.js';
import { median, percentile } from './support/stats.js';

export const FLEET_CHANNEL = 'ticker.BTC-PERPETUAL.100ms';

export interface FleetOptions {
  connections: number;
  /** Backoff window of the first rebuild (full jitter over [0, windowMs]). */
  windowMs: number;
  log?: (line: string) => void;
}

export interface FleetResult {
  connections: number;
  rssDeltaMb: number;
  heapDeltaMb: number;
  rssPerConnectionKb: number;
  heapPerConnectionKb: number;
  sweepMedianMs: number;
  sweepP99Ms: number;
  sweepMaxMs: number;
  startupMs: number;
  storm: StormResult;
}

export function fleetConfig(name: string, url: string, windowMs: number): ExchangeConnectionConfig {
  return {
    name,
    url,
    venue: 'deribit',
    session: {
      credentials: { kind: 'client_credentials', clientId: 'test-client', clientSecret: 'test-secret' },
      heartbeatIntervalSec: 10,
    },
    client: { connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 },
    rebuild: { baseDelayMs: windowMs, maxBackoffMs: windowMs * 4 },
    silenceTimeoutMs: 30_000,
  };
}

async function waitAll(connections: readonly ExchangeConnection[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pending = connections.filter((c) => c.state !== 'ready' || c.stats().sessionSubscriptions < 1).length;
    if (pending === 0) return;
    if (performance.now() > deadline) throw new Error(`${pending} connections not ready/subscribed after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function measureFleet(remote: RemoteExchanges, options: FleetOptions): Promise<FleetResult> {
  const n = options.connections;
  collectGarbage();
  const before = process.memoryUsage();
  const service = new ConnectionSupervisorService(
    {
      connections: Array.from({ length: n }, (_, i) =>
        fleetConfig(`fleet-${i}`, remote.urls[i % remote.urls.length] as string, options.windowMs),
      ),
      logger: silentLogger(),
      sweepIntervalMs: 1_000,
    },
    new SchedulerRegistry(),
  );
  const connections = service.list();
  const consumers = connections.map((c) => c.channel$(FLEET_CHANNEL).subscribe(() => undefined));
  try {
    const t0 = performance.now();
    service.onApplicationBootstrap();
    await waitAll(connections, 60_000);
    const startupMs = performance.now() - t0;
    options.log?.(`  fleet: ${n} connections ready and subscribed in ${Math.round(startupMs)} ms`);
    await new Promise((r) => setTimeout(r, 500));
    collectGarbage();
    const after = process.memoryUsage();

    const sweeps: number[] = [];
    for (let i = 0; i < 500; i += 1) {
      service.sweep();
      sweeps.push(service.lastSweepDurationMs);
    }

    const storm = await runStorm(connections, () => remote.terminateAll(), { windowMs: options.windowMs, timeoutMs: 120_000 });
    return {
      connections: n,
      rssDeltaMb: (after.rss - before.rss) / 2 ** 20,
      heapDeltaMb: (after.heapUsed - before.heapUsed) / 2 ** 20,
      rssPerConnectionKb: (after.rss - before.rss) / 1024 / n,
      heapPerConnectionKb: (after.heapUsed - before.heapUsed) / 1024 / n,
      sweepMedianMs: median(sweeps),
      sweepP99Ms: percentile(sweeps, 99),
      sweepMaxMs: Math.max(...sweeps),
      startupMs,
      storm,
    };
  } finally {
    for (const c of consumers) c.unsubscribe();
    await service.beforeApplicationShutdown();
  }
}
