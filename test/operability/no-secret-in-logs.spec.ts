import type { INestApplication } from '@nestjs/common';
import { type ClientLogger, type ExchangeConnection } from '@exchange-connection/core';
import {
  type ExchangeConnectionModuleOptions,
  JsonLineLogger,
  SecretRedactor,
  exchangeConnectionsFromEnv,
  getExchangeConnectionToken,
} from '@exchange-connection/nestjs';
import { TestExchange } from '@exchange-connection/testkit';
import { createMarketDataApp } from '../../apps/market-data/src/bootstrap.js';
import { readAppConfig } from '../../apps/market-data/src/config/app-config.js';
import { startupRedactor } from '../../apps/market-data/src/config/startup-redactor.js';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { StreamTestClient } from '../app/stream-test-client.js';
import { runScenario } from '../faults/run-scenario.js';
import { scenarios } from '../faults/scenarios.js';
import { waitFor } from '../support/wait-for.js';

/** Distinctive, so a hit anywhere is unambiguous. */
const SECRET = 'S3CRET-do-not-log-7f3a9c1e5b';
const CLIENT_ID = 'operability-audit-client';
/** The test exchange's access and refresh tokens: `<ms epoch>.<32 base64url chars>`. */
const TOKEN_PATTERN = /\b\d{13}\.[A-Za-z0-9_-]{32}\b/;
/** A token value under its key, in any serialization. */
const TOKEN_PAIR_PATTERN = /(access_token|refresh_token|accessToken|refreshToken)["']?\s*[:=]\s*["']?(?!\[REDACTED\])[A-Za-z0-9]/;

function leaks(text: string): string[] {
  const found: string[] = [];
  if (text.includes(SECRET)) found.push('client secret');
  if (TOKEN_PATTERN.test(text)) found.push('token value');
  if (TOKEN_PAIR_PATTERN.test(text)) found.push('token pair');
  return found;
}

function expectClean(what: string, texts: readonly string[]): void {
  const hits = texts.flatMap((text) => leaks(text).map((kind) => `${what}: ${kind} in ${text.slice(0, 300)}`));
  expect(hits).toEqual([]);
}

/** Records what the library hands its logger, before any redaction: the library itself must not log secrets. */
function rawCapture(lines: string[]): ClientLogger {
  const keep = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${safeJson(context)}`);
  return { debug: keep('debug'), log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/** A redactor that also records every input it was given: what reached the logging pipeline raw. */
class AuditingRedactor extends SecretRedactor {
  readonly inputs: string[] = [];

  override redactText(text: string): string {
    this.inputs.push(text);
    return super.redactText(text);
  }

  override redact<T>(value: T): T {
    this.inputs.push(safeJson(value));
    return super.redact(value);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)) ?? '';
  } catch {
    return String(value);
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.message}\n${error.stack ?? ''}\n${safeJson({ ...error })}`;
}

describe('no secret in logs, errors, /health, /metrics or /stream', () => {
  describe('every fault-matrix scenario, with a distinctive secret and a capturing logger', () => {
    // Both auth grants are covered without running the matrix twice: they alternate by row.
    const rows = scenarios.map((s, i) => [s.name, i % 2 === 0 ? 'client_credentials' : 'client_signature', s] as const);
    it.each(rows)('%s (%s)', async (_name, kind, scenario) => {
      const raw: string[] = [];
      const json: string[] = [];
      const redactor = new SecretRedactor({ secrets: [SECRET] });
      const jsonLogger = new JsonLineLogger({
        write: (line) => json.push(line),
        levels: ['debug', 'log', 'warn', 'error'],
        redactor,
      });
      const capture = rawCapture(raw);
      const both: ClientLogger = {
        debug: (m, c) => (capture.debug?.(m, c), jsonLogger.debug(m, c)),
        log: (m, c) => (capture.log(m, c), jsonLogger.log(m, c)),
        warn: (m, c) => (capture.warn(m, c), jsonLogger.warn(m, c)),
        error: (m, c) => (capture.error(m, c), jsonLogger.error(m, c)),
      };
      const ctx = await runScenario(scenario, { credentials: { kind, clientId: CLIENT_ID, clientSecret: SECRET }, logger: both });
      expect(raw.length).toBeGreaterThan(0);
      expectClean('raw log line', raw);
      expectClean('JSON log line', json);
      expectClean('error message', ctx.errorMessages());
      expectClean('stats', [safeJson(ctx.connection.stats())]);
      for (const line of json) expect(() => JSON.parse(line) as unknown).not.toThrow();
    });
  });

  describe.each(['client_credentials', 'client_signature'] as const)('the app with %s auth', (kind) => {
    let exchange: TestExchange;
    let app: INestApplication;
    let httpUrl: string;
    let streamUrl: string;
    let connection: ExchangeConnection;
    const redactor = new AuditingRedactor();
    const appLines: string[] = [];
    const errors: string[] = [];
    const bodies: string[] = [];

    const collect = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (error) {
        errors.push(describeError(error));
      }
    };
    const readEndpoints = async () => {
      for (const path of ['/health', '/health/ready', '/metrics', '/status'])
        bodies.push(await (await fetch(`${httpUrl}${path}`)).text());
    };
    const recovered = (timeoutMs = 10_000) =>
      waitFor(() => connection.state === 'ready', { timeoutMs, message: `ready (is ${connection.state})` });

    beforeAll(async () => {
      exchange = await TestExchange.start({
        port: 0,
        seed: 21,
        feedIntervalMs: 50,
        tokenTtlSec: 3,
        minHeartbeatIntervalSec: 0.2,
        accounts: [{ clientId: CLIENT_ID, clientSecret: SECRET }],
      });
      const connections: ExchangeConnectionModuleOptions = embeddedConnectionOptions(exchange.url, {
        kind,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
      });
      connections.connections[0]!.circuitBreaker = { failureThreshold: 10, cooldownMs: 300 };
      ({ app, httpUrl, streamUrl } = await createMarketDataApp({
        connections,
        redactor,
        logger: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
        logFormat: 'json',
        logWrite: (line) => appLines.push(line),
      }));
      connection = app.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
      await connection.whenReady(10_000);
    });

    afterAll(async () => {
      await app?.close();
      await exchange?.stop();
    });

    it('drop, terminate, close 1011, expired tokens, rate limit, malformed frames, rejected auth: nothing leaks', async () => {
      const stream = await StreamTestClient.connect(streamUrl);
      try {
        stream.send({ type: 'status' });
        await collect(connection.request('private/get_account_summary', { currency: 'BTC' }));

        exchange.terminateAll();
        await collect(connection.request('public/get_time'));
        await recovered();
        exchange.closeAll(1011, 'internal error');
        await recovered();

        // Tokens expire (ttl 3 s): the session refreshes or re-authenticates; a drop forces a fresh auth.
        exchange.expireTokens();
        await collect(connection.request('private/get_account_summary', { currency: 'BTC' }));
        exchange.terminateAll();
        await recovered();

        exchange.setRateLimit({ capacity: 2, refillPerSec: 1 });
        await Promise.all(Array.from({ length: 8 }, () => collect(connection.request('public/get_time'))));
        exchange.setRateLimit(false);
        await recovered();

        for (const malformed of ['garbage', 'binary', 'unknown-id', 'wrong-shape'] as const) exchange.sendMalformed(malformed);
        await readEndpoints();

        exchange.setRejectAuth(true);
        exchange.terminateAll();
        await waitFor(() => connection.state === 'circuit-open', { timeoutMs: 10_000, message: 'circuit open' });
        await collect(connection.whenReady(1_000));
        await collect(connection.request('public/get_time'));
        await readEndpoints();
        exchange.setRejectAuth(false);
        await recovered(15_000);
        await readEndpoints();
      } finally {
        await stream.close();
      }
      expect(errors.length).toBeGreaterThan(0);
      expect(appLines.length).toBeGreaterThan(0);
      expectClean('what the library handed to logging (before redaction)', redactor.inputs);
      expectClean('app JSON log line', appLines);
      expectClean('error from whenReady/request', errors);
      expectClean('HTTP body', bodies);
      expectClean('/stream frame', [safeJson(stream.frames)]);
      expect(appLines.some((l) => l.includes('"correlationId":"deribit/'))).toBe(true);
    });
  });

  it('invalid configuration: the startup error names the variable and never shows the secret', async () => {
    const env = { DERIBIT_URL: 'wss://example.invalid/ws/api/v2', DERIBIT_CLIENT_ID: CLIENT_ID, DERIBIT_CLIENT_SECRET: SECRET };
    const bad: Array<Record<string, string>> = [
      { ...env, DERIBIT_HEARTBEAT_INTERVAL_SEC: '5' },
      { ...env, DERIBIT_AUTH_METHOD: SECRET },
      { ...env, DERIBIT_CLIENT_ID: '' },
      { ...env, DERIBIT_URL: `not a url ${SECRET}` },
      { ...env, DERIBIT_URL: `https://user:${SECRET}@example.invalid/` },
      { ...env, DERIBIT_CLIENT_SECRET: '' },
    ];
    const messages: string[] = [];
    for (const source of bad) {
      // What main.ts prints: the error through the process's redactor (EnvReader echoes a bad
      // enum value, e.g. a secret pasted into DERIBIT_AUTH_METHOD; the redactor removes it).
      const redactor = startupRedactor(source);
      try {
        exchangeConnectionsFromEnv(source);
      } catch (error) {
        messages.push(redactor.redactText(describeError(error)));
      }
    }
    expect(messages).toHaveLength(bad.length);
    expect(messages.join('\n')).toMatch(/DERIBIT_HEARTBEAT_INTERVAL_SEC/);
    try {
      readAppConfig({ LOG_LEVEL: SECRET, DERIBIT_CLIENT_SECRET: SECRET });
    } catch (error) {
      messages.push(startupRedactor({ DERIBIT_CLIENT_SECRET: SECRET }).redactText(describeError(error)));
    }
    // A connection config that fails inside Nest at startup.
    const appLines: string[] = [];
    await createMarketDataApp({
      connections: {
        connections: [
          {
            name: 'deribit',
            venue: 'deribit',
            url: `bogus ${SECRET}`,
            session: { credentials: { kind: 'client_signature', clientId: CLIENT_ID, clientSecret: SECRET } },
          },
        ],
      },
      logFormat: 'json',
      logWrite: (line) => appLines.push(line),
    }).then(
      async (started) => {
        messages.push('(app started)');
        await started.app.close();
      },
      (error: unknown) => messages.push(describeError(error)),
    );
    expect(messages).not.toContain('(app started)');
    expectClean('config error', messages);
    expectClean('app log line at failed startup', appLines);
  });
});
