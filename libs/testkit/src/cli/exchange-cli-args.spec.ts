import { CliUsageError, EXCHANGE_CLI_USAGE, parseExchangeCliArgs } from './exchange-cli-args.js';

describe('parseExchangeCliArgs', () => {
  it('fills defaults', () => {
    expect(parseExchangeCliArgs([])).toEqual({
      kind: 'run',
      venue: 'deribit',
      controlPort: undefined,
      exchange: {
        port: 8080,
        host: '127.0.0.1',
        seed: 1,
        feedIntervalMs: 100,
        minHeartbeatIntervalSec: 10,
        tokenTtlSec: 900,
        rateLimit: false,
        accounts: [{ clientId: 'test-client', clientSecret: 'test-secret' }],
      },
    });
  });

  it('reads every option', () => {
    const command = parseExchangeCliArgs([
      '--port',
      '9000',
      '--host',
      '0.0.0.0',
      '--seed',
      '42',
      '--feed-interval',
      '0',
      '--min-heartbeat',
      '0.5',
      '--client-id',
      'me',
      '--client-secret',
      's3cret',
      '--token-ttl',
      '30',
      '--rate-limit',
      '20:10',
      '--control-port',
      '9001',
    ]);
    expect(command).toEqual({
      kind: 'run',
      venue: 'deribit',
      controlPort: 9001,
      exchange: {
        port: 9000,
        host: '0.0.0.0',
        seed: 42,
        feedIntervalMs: 0,
        minHeartbeatIntervalSec: 0.5,
        tokenTtlSec: 30,
        rateLimit: { capacity: 20, refillPerSec: 10 },
        accounts: [{ clientId: 'me', clientSecret: 's3cret' }],
      },
    });
  });

  it('--venue bybit takes the Bybit options', () => {
    expect(
      parseExchangeCliArgs(['--venue', 'bybit', '--port', '0', '--api-key', 'k', '--api-secret', 's', '--idle-timeout', '30000']),
    ).toEqual({
      kind: 'run',
      venue: 'bybit',
      controlPort: undefined,
      exchange: {
        port: 0,
        host: '127.0.0.1',
        seed: 1,
        feedIntervalMs: 100,
        rateLimit: false,
        idleTimeoutMs: 30_000,
        accounts: [{ apiKey: 'k', apiSecret: 's' }],
      },
    });
    expect(parseExchangeCliArgs(['--venue', 'bybit'])).toMatchObject({
      exchange: { idleTimeoutMs: 600_000, accounts: [{ apiKey: 'test-key', apiSecret: 'test-secret' }] },
    });
  });

  it('--venue binance takes the Binance options', () => {
    expect(
      parseExchangeCliArgs([
        '--venue',
        'binance',
        '--lifetime',
        '60000',
        '--ping-interval',
        '5000',
        '--pong-timeout',
        '9000',
        '--no-message-limit',
        '--listen-key-validity',
        '2000',
      ]),
    ).toEqual({
      kind: 'run',
      venue: 'binance',
      controlPort: undefined,
      exchange: {
        port: 8080,
        host: '127.0.0.1',
        seed: 1,
        feedIntervalMs: 100,
        rateLimit: false,
        connectionLifetimeMs: 60_000,
        accounts: [{ apiKey: 'test-key', secretKey: 'test-secret' }],
        pingIntervalMs: { spot: 5000, usdm: 5000 },
        pongTimeoutMs: { spot: 9000, usdm: 9000 },
        incomingMessageLimit: false,
        listenKeyValidityMs: 2000,
      },
    });
    expect(parseExchangeCliArgs(['--venue', 'binance'])).toMatchObject({
      exchange: { connectionLifetimeMs: 86_400_000, listenKeyValidityMs: 3_600_000 },
    });
    expect(EXCHANGE_CLI_USAGE).toMatch(/--venue deribit\|bybit\|binance/);
  });

  it('--help / -h', () => {
    expect(parseExchangeCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseExchangeCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(EXCHANGE_CLI_USAGE).toMatch(/--control-port/);
  });

  it.each([
    [['--port', 'abc'], /--port must be an integer/],
    [['--port', '70000'], /--port must be at most 65535/],
    [['--feed-interval=-5'], /--feed-interval must be a number >= 0/],
    [['--rate-limit', '20'], /--rate-limit must be CAPACITY:REFILL/],
    [['--min-heartbeat', '0'], /--min-heartbeat/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /positional/i],
    [['--port'], /argument missing/],
    [['--client-id', ''], /--client-id must not be empty/],
    [['--venue', 'kraken'], /--venue must be one of deribit, bybit/],
    [['--venue', 'bybit', '--min-heartbeat', '1'], /--min-heartbeat applies to --venue deribit only/],
    [['--api-key', 'k'], /--api-key applies to --venue bybit\/binance only/],
    [['--venue', 'bybit', '--lifetime', '5'], /--lifetime applies to --venue binance only/],
    [['--listen-key-validity', '5'], /--listen-key-validity applies to --venue binance only/],
    [['--venue', 'binance', '--ping-interval', 'x'], /--ping-interval must be a number/],
    [['--venue', 'bybit', '--idle-timeout', '0'], /--idle-timeout must be a number >= 1/],
  ])('%p is a usage error', (argv, message) => {
    expect(() => parseExchangeCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseExchangeCliArgs(argv)).toThrow(message);
  });
});
