import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { type ExchangeConnection, noJitter } from '@exchange-connection/core';
import {
  ConnectionSupervisorService,
  type ExchangeConnectionConfig,
  ExchangeConnectionHealthIndicator,
  ExchangeConnectionModule,
  InjectExchangeConnection,
} from '@exchange-connection/nestjs';
import { FaultProxy, type TestExchange } from '@exchange-connection/testkit';
import { firstValueFrom, filter } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth } from '../support/open-handles.js';
import { CREDENTIALS, captureLogger, startExchange } from '../supervisor/fixtures.js';

function config(name: string, url: string, overrides: Partial<ExchangeConnectionConfig> = {}): ExchangeConnectionConfig {
  return {
    name,
    url,
    venue: 'deribit',
    session: { credentials: CREDENTIALS, heartbeatIntervalSec: 0.5 },
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
    circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
    silenceTimeoutMs: 1_500,
    ...overrides,
  };
}

@Injectable()
class TwoAccounts {
  constructor(
    @InjectExchangeConnection('alpha') readonly alpha: ExchangeConnection,
    @InjectExchangeConnection('beta') readonly beta: ExchangeConnection,
  ) {}
}

describe('ExchangeConnectionModule (Nest face)', () => {
  let a: TestExchange;
  let b: TestExchange;
  let app: TestingModule | undefined;

  beforeEach(async () => {
    [a, b] = await Promise.all([startExchange(), startExchange()]);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await Promise.all([a.stop(), b.stop()]);
  });

  async function boot(connections: ExchangeConnectionConfig[], extra: { sweepIntervalMs?: number } = {}) {
    @Module({ providers: [TwoAccounts], exports: [TwoAccounts] })
    class ConsumerModule {}
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRoot({ connections, sweepIntervalMs: extra.sweepIntervalMs ?? 100, logger: captureLogger() }),
        ConsumerModule,
      ],
    }).compile();
    await app.init();
    return app;
  }

  it('injects two named connections that recover independently; health tells which is down', async () => {
    const module = await boot([config('alpha', a.url), config('beta', b.url)]);
    const { alpha, beta } = module.get(TwoAccounts);
    await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
    const health = module.get(ExchangeConnectionHealthIndicator);
    expect(health.isHealthy()).toMatchObject({ exchange: { status: 'up' } });

    await b.stop();
    await firstValueFrom(beta.state$.pipe(filter((s) => s === 'circuit-open')));
    expect(alpha.state).toBe('ready');
    const report = health.isHealthy();
    expect(report.exchange.status).toBe('down');
    expect(report.exchange).toMatchObject({
      connections: { alpha: { state: 'ready' }, beta: { state: 'circuit-open', circuit: 'open' } },
    });
    expect(health.isReady('ready', ['alpha'])).toMatchObject({ ready: { status: 'up' } });
    expect(JSON.stringify(report)).not.toContain(CREDENTIALS.clientSecret);
  });

  it('reports readiness down while restoring and up once ready', async () => {
    const module = await boot([config('alpha', a.url), config('beta', b.url)]);
    const { alpha, beta } = module.get(TwoAccounts);
    const health = module.get(ExchangeConnectionHealthIndicator);
    expect(health.isReady()['exchange-ready'].status).toBe('down');
    await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
    expect(health.isReady()['exchange-ready'].status).toBe('up');
  });

  it('opens the circuit on invalid credentials: health down with the reason, one auth attempt', async () => {
    a.setRejectAuth(true);
    const module = await boot([config('alpha', a.url), config('beta', b.url)]);
    const { alpha } = module.get(TwoAccounts);
    await expect(alpha.whenReady(5_000)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    const report = module.get(ExchangeConnectionHealthIndicator).isHealthy();
    expect(report.exchange.status).toBe('down');
    expect(JSON.stringify(report)).toContain('INVALID_CREDENTIALS');
    await new Promise((r) => setTimeout(r, 400));
    expect(a.requestLog.filter((r) => r.method === 'public/auth')).toHaveLength(1);
  });

  it('sweeps on a SchedulerRegistry interval and removes it on shutdown, leaving no connection or handle open', async () => {
    const before = resourceSnapshot();
    const module = await boot([config('alpha', a.url), config('beta', b.url)]);
    const registry = module.get(SchedulerRegistry);
    const jobs = registry.getIntervals().filter((n) => n.startsWith('exchange-connection-sweep-'));
    expect(jobs).toHaveLength(1);
    const { alpha, beta } = module.get(TwoAccounts);
    await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
    await module.close();
    app = undefined;
    expect(registry.getIntervals().filter((n) => n.startsWith('exchange-connection-sweep-'))).toHaveLength(0);
    expect(alpha.state).toBe('closed');
    await a.waitFor(() => a.connections().length === 0, 2_000);
    await b.waitFor(() => b.connections().length === 0, 2_000);
    await settleNoResourceGrowth(before, { timeoutMs: 3_000 });
  });

  it("the supervisor's sweep rebuilds a half-open link within the silence bound (client watchdog off)", async () => {
    const proxy = await FaultProxy.start({ target: { port: a.port } });
    try {
      const silenceTimeoutMs = 800;
      const module = await boot([config('alpha', proxy.url(), { silenceTimeoutMs }), config('beta', b.url)], {
        sweepIntervalMs: 50,
      });
      const { alpha } = module.get(TwoAccounts);
      const ticks = alpha.channel$('ticker.BTC-PERPETUAL.100ms').subscribe();
      await alpha.whenReady(5_000);
      const blackHoledAt = Date.now();
      proxy.setBlackHole(true);
      await firstValueFrom(alpha.state$.pipe(filter((s) => s === 'reconnecting')));
      // Silence counts from the last frame before the black hole, so detection ≤ bound + one sweep.
      expect(Date.now() - blackHoledAt).toBeLessThanOrEqual(silenceTimeoutMs * 1.1 + 50);
      expect(alpha.stats().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
      proxy.setBlackHole(false);
      await alpha.whenReady(5_000);
      ticks.unsubscribe();
    } finally {
      await app?.close();
      app = undefined;
      await proxy.stop();
    }
  });

  it("passes the Deribit adapter's own warnings to the module's logger, tagged with the connection", async () => {
    const logger = captureLogger();
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRoot({
          connections: [config('alpha', a.url, { session: { heartbeatIntervalSec: 0.5 } })], // no credentials
          logger,
        }),
      ],
    }).compile();
    await app.init();
    const alpha = app.get(ConnectionSupervisorService).get('alpha');
    const refused = new Promise((resolve) => alpha.channel$('user.orders.BTC-PERPETUAL.raw').subscribe({ error: resolve }));
    await alpha.whenReady(5_000);
    await refused;
    const line = logger.lines.find((l) => l.includes('Deribit private channels need credentials'));
    expect(line).toBeDefined();
    expect(line).toContain('"connection":"alpha"');
  });

  it('fails at startup naming the token when an injected name is not configured', async () => {
    await expect(boot([config('alpha', a.url)])).rejects.toThrow(/ExchangeConnection:beta/);
    app = undefined;
  });

  it('fails at startup naming the configured connections when forRootAsync names one its factory did not build', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRootAsync({
          useFactory: () => ({ connections: [config('alpha', a.url)] }),
          connectionNames: ['alpha', 'beta'],
        }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/no exchange connection named 'beta' \(configured: alpha\)/);
  });

  it('fails at startup naming the setting on a bad url', async () => {
    await expect(boot([config('alpha', 'http://127.0.0.1:1'), config('beta', b.url)])).rejects.toThrow(
      /connection 'alpha': url must start with ws:\/\/ or wss:\/\//,
    );
    app = undefined;
  });

  it('two Nest apps in one process keep separate registries', async () => {
    const first = await Test.createTestingModule({
      imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)] })],
    }).compile();
    const second = await Test.createTestingModule({
      imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', b.url)] })],
    }).compile();
    await Promise.all([first.init(), second.init()]);
    try {
      const s1 = first.get(ConnectionSupervisorService);
      const s2 = second.get(ConnectionSupervisorService);
      expect(s1).not.toBe(s2);
      await Promise.all([s1.get('alpha').whenReady(5_000), s2.get('alpha').whenReady(5_000)]);
      expect(a.connections()).toHaveLength(1);
      expect(b.connections()).toHaveLength(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('forRootAsync builds connections from an injected factory', async () => {
    @Module({ providers: [{ provide: 'URLS', useValue: { alpha: a.url, beta: b.url } }], exports: ['URLS'] })
    class UrlModule {}
    @Module({ providers: [TwoAccounts] })
    class ConsumerModule {}
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRootAsync({
          imports: [UrlModule],
          inject: ['URLS'],
          useFactory: (urls: { alpha: string; beta: string }) => ({
            connections: [config('alpha', urls.alpha), config('beta', urls.beta)],
          }),
          connectionNames: ['alpha', 'beta'],
        }),
        ConsumerModule,
      ],
    }).compile();
    await app.init();
    const { alpha, beta } = app.get(TwoAccounts);
    await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
  });
});
