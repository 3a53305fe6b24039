import {
  BybitAdapter,
  BybitCodec,
  ShardedConnection,
  SupervisedConnection,
  noJitter,
  type BybitAdapterOptions,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import { BybitTestExchange, type BybitMarket, type BybitTestExchangeOptions } from '@exchange-connection/testkit';
import { captureLogger } from '../supervisor/fixtures.js';

export const BYBIT_ACCOUNT = { apiKey: 'bybit-key', apiSecret: 'bybit-secret-123' };
/** Bybit reads the credential pair as API key and secret. */
export const BYBIT_CREDENTIALS = {
  kind: 'client_credentials' as const,
  clientId: BYBIT_ACCOUNT.apiKey,
  clientSecret: BYBIT_ACCOUNT.apiSecret,
};

export function startBybit(options: BybitTestExchangeOptions = {}): Promise<BybitTestExchange> {
  return BybitTestExchange.start({ port: 0, seed: 5, feedIntervalMs: 0, accounts: [BYBIT_ACCOUNT], ...options });
}

/** Every `auth` op the connection's clients wrote: `[apiKey, expires, signature]` per attempt, in order. */
export class AuthRecorder {
  readonly auths: Array<[string, number, string]> = [];

  adapter(options: BybitAdapterOptions): BybitAdapter {
    const auths = this.auths;
    return new (class extends BybitAdapter {
      override createCodec(): BybitCodec {
        const codec = super.createCodec();
        const encode = codec.encode.bind(codec);
        codec.encode = (id, method, params) => {
          if (method === 'auth') auths.push((params as { args: [string, number, string] }).args);
          return encode(id, method, params);
        };
        return codec;
      }
    })(options);
  }
}

export function bybitOptions(
  exchange: BybitTestExchange,
  market: BybitMarket,
  overrides: Partial<SupervisedConnectionOptions> = {},
  adapter: BybitAdapterOptions = { market },
): SupervisedConnectionOptions {
  return {
    name: `bybit-${market}`,
    url: exchange.url(market),
    venue: new BybitAdapter(adapter),
    session: market === 'private' ? { credentials: BYBIT_CREDENTIALS } : {},
    client: { heartbeat: false, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
    circuitBreaker: { failureThreshold: 4, cooldownMs: 60_000 },
    silenceTimeoutMs: 5_000,
    logger: captureLogger(),
    ...overrides,
  };
}

export function supervisedBybit(...args: Parameters<typeof bybitOptions>): SupervisedConnection {
  return new SupervisedConnection(bybitOptions(...args));
}

export function shardedBybit(...args: Parameters<typeof bybitOptions>): ShardedConnection {
  return new ShardedConnection(bybitOptions(...args));
}
