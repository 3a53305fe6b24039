import { Logger } from '@nestjs/common';
import { logConnectionEvent } from './connection-event-log.js';
import { connectionLogFields } from './connection-log-fields.js';
import { JsonLineLogger } from './json-line-logger.js';
import { RedactingConsoleLogger } from './redacting-console-logger.js';
import { nestConnectionLogger, withRedaction } from './redacting-logger.js';
import { SecretRedactor } from './secret-redactor.js';

const SECRET = 'shh-0123456789-secret';
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('connection log fields', () => {
  it('puts connection, cycle, correlationId and layer first, filling in a missing correlationId', () => {
    expect(connectionLogFields({ closeCode: 1006, layer: 'client', cycle: 3, connection: 'deribit' })).toEqual({
      connection: 'deribit',
      cycle: 3,
      correlationId: 'deribit/3',
      layer: 'client',
      closeCode: 1006,
    });
    expect(
      Object.keys(connectionLogFields({ layer: 'supervisor', correlationId: 'deribit/3', cycle: 3, connection: 'deribit' })),
    ).toEqual(['connection', 'cycle', 'correlationId', 'layer']);
    expect(connectionLogFields({ connection: 'deribit' })).toEqual({ connection: 'deribit' });
  });

  it('a name with # in it is a name: nothing is parsed out of it', () => {
    expect(connectionLogFields({ connection: 'desk#2', cycle: 5, layer: 'client' })).toEqual({
      connection: 'desk#2',
      cycle: 5,
      correlationId: 'desk#2/5',
      layer: 'client',
    });
  });
});

describe('JsonLineLogger', () => {
  it('writes one JSON object per line with time, level, context, message, correlation fields, redacted', () => {
    const lines: string[] = [];
    const logger = new JsonLineLogger({
      write: (line) => lines.push(line),
      redactor: new SecretRedactor({ secrets: [SECRET] }),
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      levels: ['debug', 'log', 'warn', 'error'],
    });
    logger.warn(`Socket down (${SECRET})`, {
      connection: 'deribit',
      cycle: 2,
      layer: 'client',
      correlationId: 'deribit/2',
      cause: 'SOCKET_CLOSED',
      closeCode: 1006,
      access_token: 'tok',
    });
    logger.debug('frame', { level: 'error' });
    expect(parse(lines[0] ?? '')).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'warn',
      context: 'ExchangeConnection',
      message: 'Socket down ([REDACTED])',
      connection: 'deribit',
      cycle: 2,
      correlationId: 'deribit/2',
      layer: 'client',
      cause: 'SOCKET_CLOSED',
      closeCode: 1006,
      access_token: '[REDACTED]',
    });
    // A field cannot change the severity.
    expect(parse(lines[1] ?? '').level).toBe('debug');
  });

  it('drops levels not enabled (debug by default)', () => {
    const lines: string[] = [];
    const logger = new JsonLineLogger({ write: (line) => lines.push(line) });
    logger.debug('frame');
    logger.log('ready');
    expect(lines).toHaveLength(1);
  });
});

describe('withRedaction', () => {
  it('hands the inner logger redacted text and normalized fields only', () => {
    const seen: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const inner = {
      log: (m: string, c?: Record<string, unknown>) => seen.push(['log', m, c]),
      warn: (m: string, c?: Record<string, unknown>) => seen.push(['warn', m, c]),
      error: (m: string, c?: Record<string, unknown>) => seen.push(['error', m, c]),
    };
    const logger = withRedaction(inner, new SecretRedactor({ secrets: [SECRET] }));
    logger.warn(`down: ${SECRET}`, {
      connection: 'a',
      cycle: 1,
      correlationId: 'a/1',
      layer: 'supervisor',
      params: { client_secret: SECRET },
    });
    logger.debug?.('no debug on inner: ignored');
    expect(JSON.stringify(seen)).not.toContain(SECRET);
    expect(seen[0]?.[2]).toMatchObject({ connection: 'a', correlationId: 'a/1', layer: 'supervisor' });
    expect(seen).toHaveLength(1);
  });
});

describe('RedactingConsoleLogger', () => {
  afterEach(() => Logger.overrideLogger(true));

  it('in JSON mode prints time/level/context/message and flattened fields, secrets removed from strings too', () => {
    const lines: string[] = [];
    const redactor = new SecretRedactor({ secrets: [SECRET] });
    const console = new RedactingConsoleLogger({ json: true, redactor, write: (line) => lines.push(line) });
    Logger.overrideLogger(console);
    nestConnectionLogger().warn(`down: UNAUTHORIZED ${SECRET}`, {
      connection: 'deribit',
      cycle: 4,
      correlationId: 'deribit/4',
      code: 'UNAUTHORIZED',
    });
    new Logger('App').error(new Error(`boom ${SECRET}`));
    new Logger('App').log({ refresh_token: 'abc', note: `x ${SECRET}` });
    const [first, second, third] = lines.map(parse);
    expect(first).toMatchObject({
      level: 'warn',
      context: 'ExchangeConnection',
      message: 'down: UNAUTHORIZED [REDACTED]',
      connection: 'deribit',
      cycle: 4,
      correlationId: 'deribit/4',
      code: 'UNAUTHORIZED',
    });
    expect(typeof first?.time).toBe('string');
    expect(Object.keys(first ?? {})[0]).toBe('time');
    expect(second?.level).toBe('error');
    expect(third?.message).toEqual({ refresh_token: '[REDACTED]', note: 'x [REDACTED]' });
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});

describe('logConnectionEvent', () => {
  it('logs rebuilds as warn and an open circuit as error, with the correlation fields', () => {
    const seen: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const logger = {
      debug: (m: string, c?: Record<string, unknown>) => seen.push(['debug', m, c]),
      log: (m: string, c?: Record<string, unknown>) => seen.push(['log', m, c]),
      warn: (m: string, c?: Record<string, unknown>) => seen.push(['warn', m, c]),
      error: (m: string, c?: Record<string, unknown>) => seen.push(['error', m, c]),
    };
    logConnectionEvent(logger, { type: 'rebuild-scheduled', connection: 'd', cycle: 2, attempt: 1, delayMs: 800 });
    logConnectionEvent(logger, {
      type: 'circuit',
      connection: 'd',
      cycle: 3,
      circuit: 'open',
      reason: 'fatal: INVALID_CREDENTIALS',
    });
    logConnectionEvent(logger, {
      type: 'state',
      connection: 'd',
      cycle: 3,
      from: 'ready',
      to: 'reconnecting',
      reason: 'SOCKET_CLOSED',
    });
    logConnectionEvent(logger, { type: 'ready', connection: 'd', cycle: 3, durationMs: 5, restoredSubscriptions: 1 });
    expect(seen.map(([level]) => level)).toEqual(['warn', 'error', 'debug']);
    expect(seen[0]?.[2]).toMatchObject({ correlationId: 'd/2', attempt: 1, delayMs: 800 });
    expect(seen[1]?.[1]).toBe('circuit open (fatal: INVALID_CREDENTIALS)');
  });
});
