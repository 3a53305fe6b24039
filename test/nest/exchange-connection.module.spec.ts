import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { type ExchangeConnection, ExchangeConnectionError, ShardedConnection } from '@exchange-connection/core';
import {
  type ConnectionCoordination,
  ConnectionSupervisorService,
  type ExchangeConnectionConfig,
  ExchangeConnectionModule,
  InjectExchangeConnection,
  exchangeConnectionFromEnv,
  exchangeModuleSettingsFromEnv,
} from '@exchange-connection/nestjs';
import { ExchangeConnectionHealthIndicator, ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { ExchangeConnectionMetricsModule } from '@exchange-connection/nestjs/metrics';
import { type TestExchange } from '@exchange-connection/testkit';
import { Registry } from 'prom-client';
import { firstValueFrom, filter } from 'rxjs';
import { CREDENTIALS, captureLogger, startExchange } from '../supervisor/fixtures.js';
import { waitFor } from '../support/wait-for.js';
import { connectionConfig as config } from './nest-fixtures.js';

@Injectable()
class TwoAccounts {
  constructor(
    @InjectExchangeConnection('alpha') readonly alpha: ExchangeConnection,
    @InjectExchangeConnection('beta') readonly beta: ExchangeConnection,
  ) {}
}

@Injectable()
class AlphaOnly {
  constructor(@InjectExchangeConnection('alpha') readonly alpha: ExchangeConnection) {}
}

@Injectable()
class WantsGamma {
  constructor(@InjectExchangeConnection('gamma') readonly gamma: ExchangeConnection) {}
}

/** A ConfigService stand-in: the module only needs `get(key)`. */
const ENV = 'TEST_ENV';
const envModule = (values: Record<string, string>) => {
  @Module({ providers: [{ provide: ENV, useValue: { get: (key: string) => values[key] } }], exports: [ENV] })
  class EnvModule {}
  return EnvModule;
};

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
        ExchangeConnectionModule.forRoot({
          connections,
          sweepIntervalMs: extra.sweepIntervalMs ?? 100,
          logger: captureLogger(),
          isGlobal: true,
        }),
        ConsumerModule,
        ExchangeConnectionHealthModule,
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
    expect(() => health.isReady('ready', ['gamma'])).toThrow("no exchange connection named 'gamma' (configured: alpha, beta)");
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
    // Nothing to wait on: the circuit holds for its 60 s cool-down; give a retry bug time to show.
    await new Promise((r) => setTimeout(r, 400));
    expect(a.requestLog.filter((r) => r.method === 'public/auth')).toHaveLength(1);
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

  describe('names: declared once, injected by name', () => {
    it('fails at startup naming the configured connections when an injected name is not configured (forRoot)', async () => {
      const compiling = Test.createTestingModule({
        imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)], isGlobal: true })],
        providers: [WantsGamma],
      }).compile();
      await expect(compiling).rejects.toThrow("no exchange connection named 'gamma' (configured: alpha)");
    });

    it('fails the same way with forRootAsync', async () => {
      const compiling = Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRootAsync({
            isGlobal: true,
            connections: [
              { name: 'alpha', useFactory: () => config('alpha', a.url) },
              { name: 'beta', useFactory: () => config('beta', b.url) },
            ],
          }),
        ],
        providers: [WantsGamma],
      }).compile();
      await expect(compiling).rejects.toThrow("no exchange connection named 'gamma' (configured: alpha, beta)");
    });

    it('a name injected elsewhere in the process costs an app that does not inject it nothing', async () => {
      // WantsGamma exists in this file; this app neither configures nor injects 'gamma'.
      app = await Test.createTestingModule({
        imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)], isGlobal: true })],
        providers: [AlphaOnly],
      }).compile();
      await app.init();
      await app.get(AlphaOnly).alpha.whenReady(5_000);
    });

    it('forRootAsync: each connection is a name with its own factory, imports and inject; settings from another factory', async () => {
      @Module({ providers: [{ provide: 'URLS', useValue: { alpha: a.url, beta: b.url } }], exports: ['URLS'] })
      class UrlModule {}
      type Urls = { alpha: string; beta: string };
      app = await Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRootAsync({
            isGlobal: true,
            imports: [UrlModule],
            inject: ['URLS'],
            useFactory: (urls: Urls) => ({ sweepIntervalMs: urls.alpha ? 200 : 100, logger: captureLogger() }),
            connections: [
              // The factory's result carries no name: the entry's name is the only one.
              {
                name: 'alpha',
                imports: [UrlModule],
                inject: ['URLS'],
                useFactory: (urls: Urls) => settings(config('alpha', urls.alpha)),
              },
              {
                name: 'beta',
                imports: [UrlModule],
                inject: ['URLS'],
                useFactory: async (urls: Urls) => settings(config('beta', urls.beta)),
              },
            ],
          }),
        ],
        providers: [TwoAccounts],
      }).compile();
      await app.init();
      const { alpha, beta } = app.get(TwoAccounts);
      await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
      expect(
        app
          .get(ConnectionSupervisorService)
          .list()
          .map((c) => c.name),
      ).toEqual(['alpha', 'beta']);
    });

    it('forRootAsync from the environment: the name is written once and the variables follow it', async () => {
      const env = { ALPHA_URL: a.url, ALPHA_HEARTBEAT_INTERVAL_SEC: '10', EXCHANGE_SWEEP_INTERVAL_MS: '250' };
      const Env = envModule(env);
      app = await Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRootAsync({
            isGlobal: true,
            imports: [Env],
            inject: [ENV],
            useFactory: (source: { get(key: string): unknown }) => exchangeModuleSettingsFromEnv(source),
            connections: [{ ...exchangeConnectionFromEnv('alpha', { inject: ENV }), imports: [Env] }],
          }),
        ],
        providers: [AlphaOnly],
      }).compile();
      await app.init();
      await app.get(AlphaOnly).alpha.whenReady(5_000);
    });

    it('a bad variable stops the startup naming the variable', async () => {
      const Env = envModule({ ALPHA_URL: 'ws://', ALPHA_CIRCUIT_COOLDOWN_MS: '9999999999' });
      const compiling = Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRootAsync({
            connections: [{ ...exchangeConnectionFromEnv('alpha', { inject: ENV }), imports: [Env] }],
          }),
        ],
      }).compile();
      await expect(compiling).rejects.toThrow(
        'ALPHA_URL is not a valid URL; ALPHA_CIRCUIT_COOLDOWN_MS must be <= 86400000 (got 9999999999)',
      );
    });

    it('fails at startup naming the field on bad code config (forRoot and forRootAsync alike)', async () => {
      await expect(
        boot([config('alpha', 'http://127.0.0.1:1'), config('beta', b.url, { silenceTimeoutMs: -1 })]),
      ).rejects.toThrow(
        'connections[0].url must start with ws:// or wss:// (got http://); connections[1].silenceTimeoutMs must be >= 500 (got -1)',
      );
      app = undefined;
      const compiling = Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRootAsync({
            useFactory: () => ({ sweepIntervalMs: 0 }),
            connections: [{ name: 'alpha', useFactory: () => ({ ...settings(config('alpha', a.url)), silenceTimeoutMs: -1 }) }],
          }),
        ],
      }).compile();
      await expect(compiling).rejects.toThrow(
        'sweepIntervalMs must be >= 50 (got 0); connections[0].silenceTimeoutMs must be >= 500 (got -1)',
      );
    });
  });

  it('tells a 0.2-style forRootAsync (connections returned by the settings factory) what changed', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRootAsync({
          useFactory: () => ({ connections: [config('alpha', a.url)] }) as never,
          connections: [],
        }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow('declare each connection in `connections: [{ name, useFactory }]`');
  });

  describe('registration is local unless isGlobal', () => {
    it('a module that does not import it cannot inject a connection by default', async () => {
      @Module({ providers: [AlphaOnly] })
      class Elsewhere {}
      const compiling = Test.createTestingModule({
        imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)] }), Elsewhere],
      }).compile();
      await expect(compiling).rejects.toThrow(/ExchangeConnection:alpha/);
    });

    it('a module that imports it, or any module with isGlobal: true, can', async () => {
      const root = ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)] });
      @Module({ imports: [root], providers: [AlphaOnly], exports: [AlphaOnly] })
      class Importer {}
      app = await Test.createTestingModule({ imports: [root, Importer] }).compile();
      await app.init();
      await app.get(AlphaOnly).alpha.whenReady(5_000);
      await app.close();

      @Module({ providers: [AlphaOnly], exports: [AlphaOnly] })
      class Elsewhere {}
      app = await Test.createTestingModule({
        imports: [ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)], isGlobal: true }), Elsewhere],
      }).compile();
      await app.init();
      await app.get(AlphaOnly).alpha.whenReady(5_000);
    });
  });

  describe('health and metrics subpaths find the connections without a global module', () => {
    it('serves health and metrics for a non-global ExchangeConnectionModule', async () => {
      const registry = new Registry();
      @Module({ imports: [TerminusModule, ExchangeConnectionHealthModule], providers: [HealthUser], exports: [HealthUser] })
      class HealthFeature {}
      app = await Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)] }),
          ExchangeConnectionMetricsModule.forRoot({ registry }),
          HealthFeature,
        ],
      }).compile();
      await app.init();
      await app.get(ConnectionSupervisorService).get('alpha').whenReady(5_000);
      expect(app.get(HealthUser).health.isReady()).toMatchObject({ 'exchange-ready': { status: 'up' } });
      expect(await registry.metrics()).toContain('exchange_connection_up{connection="alpha"} 1');
      await app.close();
      app = undefined;
      // Closing the app removes the metrics from the registry it was given.
      expect(await registry.metrics()).not.toContain('exchange_connection_up');
    });

    it('fails at startup when the health or metrics module has no ExchangeConnectionModule to report on', async () => {
      await expect(
        Test.createTestingModule({ imports: [ExchangeConnectionHealthModule] })
          .compile()
          .then((m) => m.init()),
      ).rejects.toThrow(
        'ExchangeConnectionHealthModule needs ExchangeConnectionModule.forRoot() or forRootAsync() in the same app',
      );
      await expect(
        Test.createTestingModule({ imports: [ExchangeConnectionMetricsModule.forRoot({ registry: new Registry() })] })
          .compile()
          .then((m) => m.init()),
      ).rejects.toThrow('ExchangeConnectionMetricsModule needs ExchangeConnectionModule');
    });
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

  it('add() validates a connection added at run time, naming it', async () => {
    app = await Test.createTestingModule({ imports: [ExchangeConnectionModule.forRoot({ connections: [] })] }).compile();
    await app.init();
    const supervisor = app.get(ConnectionSupervisorService);
    expect(() => supervisor.add(config('late', a.url, { silenceTimeoutMs: 0 }))).toThrow(
      'exchange connection "late": silenceTimeoutMs must be >= 500 (got 0)',
    );
    await supervisor.add(config('late', a.url)).whenReady(5_000);
  });

  it('rotate(name) hands one connection over make-before-break; the other is untouched; counted in health', async () => {
    await boot([config('alpha', a.url), config('beta', b.url)]);
    const supervisor = app!.get(ConnectionSupervisorService);
    const { alpha, beta } = app!.get(TwoAccounts);
    await Promise.all([alpha.whenReady(5_000), beta.whenReady(5_000)]);
    const socketsBefore = a.counters.connections;
    const ticks: unknown[] = [];
    const stream = alpha.channel$('ticker.BTC-PERPETUAL.100ms').subscribe((t) => ticks.push(t));

    const outcomes = await supervisor.rotate('alpha', 'maintenance');
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'completed', reason: 'maintenance' })]);
    // A new socket, restored and authenticated, then the old one closed: one session left, never a rebuild.
    expect(a.counters.connections).toBe(socketsBefore + 1);
    await a.waitFor(() => a.connections().length === 1);
    expect(alpha.stats()).toMatchObject({ state: 'ready', reconnects: 0, rotations: { completed: 1, failed: 0 } });
    expect(beta.stats().rotations).toMatchObject({ started: 0, completed: 0 });
    const seen = ticks.length;
    await waitFor(() => ticks.length > seen, { message: 'ticks on the new socket' });
    stream.unsubscribe();

    const detail = app!.get(ExchangeConnectionHealthIndicator).isHealthy().exchange as unknown as {
      connections: Record<string, { rotations?: { completed: number } }>;
    };
    expect(detail.connections.alpha?.rotations?.completed).toBe(1);
    expect(detail.connections.beta?.rotations?.completed).toBe(0);
    expect(() => supervisor.rotate('gamma')).toThrow("no exchange connection named 'gamma' (configured: alpha, beta)");
  });

  it('passes rotation settings given in code to the core: rotateAfterMs rotates each socket on its own', async () => {
    await boot([config('alpha', a.url, { rotation: { rotateAfterMs: 600 } }), config('beta', b.url)]);
    const { alpha, beta } = app!.get(TwoAccounts);
    await alpha.whenReady(5_000);
    await waitFor(() => (alpha.stats().rotations?.completed ?? 0) >= 2, { timeoutMs: 10_000, message: 'two planned rotations' });
    expect(alpha.stats().reconnects).toBe(0);
    expect(beta.stats().rotations?.started).toBe(0);
  });

  it('refuses to rotate a connection shared with other replicas (its socket may be another replica’s)', async () => {
    // A coordination whose connections, like @exchange-connection/nats's, have no rotate().
    const coordination: ConnectionCoordination = {
      coordinate: (options) => {
        const inner = new ShardedConnection(options);
        return {
          name: inner.name,
          get state() {
            return inner.state;
          },
          state$: inner.state$,
          events$: inner.events$,
          get shardCount() {
            return inner.shardCount;
          },
          whenReady: (ms) => inner.whenReady(ms),
          channel$: (channel) => inner.channel$(channel),
          request: (method, params, opts) => inner.request(method, params, opts),
          stats: () => inner.stats(),
          start: () => inner.start(),
          sweep: (now) => inner.sweep(now),
          close: () => inner.close(),
        };
      },
      close: async () => undefined,
    };
    app = await Test.createTestingModule({
      imports: [
        ExchangeConnectionModule.forRoot({ connections: [config('alpha', a.url)], coordination, logger: captureLogger() }),
      ],
    }).compile();
    await app.init();
    const supervisor = app.get(ConnectionSupervisorService);
    await supervisor.get('alpha').whenReady(5_000);
    let error: unknown;
    try {
      supervisor.rotate('alpha');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExchangeConnectionError);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: "exchange connection 'alpha' cannot be rotated from this process (it is shared with other replicas)",
    });
  });
});

@Injectable()
class HealthUser {
  constructor(@Inject(ExchangeConnectionHealthIndicator) readonly health: ExchangeConnectionHealthIndicator) {}
}

function settings(full: ExchangeConnectionConfig): Omit<ExchangeConnectionConfig, 'name'> {
  const { name: _name, ...rest } = full;
  return rest;
}
