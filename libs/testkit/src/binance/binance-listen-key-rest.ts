import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BinanceCounters } from './binance-counters.js';
import { BinanceErrorCode, binanceErrors } from './binance-errors.js';
import type { ListenKeyStore } from './binance-listen-keys.js';
import type { ResolvedBinanceOptions } from './binance-options.js';
import { answeredByFault, send, type RestFaults } from './binance-rest.js';

/** USDⓈ-M user data stream REST path (POST create, PUT keepalive, DELETE close). */
export const LISTEN_KEY_PATH = '/fapi/v1/listenKey';

export interface ListenKeyRestContext extends RestFaults {
  readonly options: Pick<ResolvedBinanceOptions, 'requestWeightPerMinute' | 'now'>;
  readonly keys: ListenKeyStore;
  readonly counters: BinanceCounters;
  /** Whether the exchange knows this API key (an account of its options). */
  readonly isAccount: (apiKey: string) => boolean;
  /** A known key that must be refused now (`revokeApiKey`, `setRejectAuth`). */
  readonly isRefused: (apiKey: string) => boolean;
  /** Schedules the answer (the response-delay fault). */
  readonly later: (fn: () => void) => void;
}

const LISTEN_KEY_GONE = { code: -1125, msg: 'This listenKey does not exist.' };

/**
 * `POST|PUT|DELETE /fapi/v1/listenKey` (USDⓈ-M "User Data Streams"; security USER_STREAM: the API
 * key in `X-MBX-APIKEY`, no signature, no parameter). POST answers `{"listenKey"}` (the account's
 * active key, extended, or a new one), PUT `{"listenKey"}` or 400 / -1125 when the account has
 * none, DELETE `{}`. No key header: 401 / -2014 (as the venue answers); an unknown, revoked or
 * refused key: 401 / -2015.
 */
export function handleListenKeyRest(ctx: ListenKeyRestContext, request: IncomingMessage, response: ServerResponse): void {
  const answer = (): void => {
    if (answeredByFault(ctx, response, ctx.options.now())) return;
    const header = request.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (apiKey === undefined || apiKey === '') {
      ctx.counters.listenKeyErrors += 1;
      send(response, 401, { code: -2014, msg: 'API-key format invalid.' });
      return;
    }
    if (!ctx.isAccount(apiKey) || ctx.isRefused(apiKey)) {
      ctx.counters.listenKeyErrors += 1;
      const rejected = binanceErrors.rejectedKey();
      send(response, rejected.status, rejected.body);
      return;
    }
    switch (request.method) {
      case 'POST': {
        const { listenKey, created } = ctx.keys.create(apiKey);
        if (created) ctx.counters.listenKeysCreated += 1;
        else ctx.counters.listenKeysReturned += 1;
        send(response, 200, { listenKey });
        return;
      }
      case 'PUT': {
        const listenKey = ctx.keys.keepAlive(apiKey);
        if (listenKey === undefined) {
          ctx.counters.listenKeyErrors += 1;
          send(response, 400, LISTEN_KEY_GONE);
          return;
        }
        ctx.counters.listenKeyKeepAlives += 1;
        send(response, 200, { listenKey });
        return;
      }
      case 'DELETE':
        if (ctx.keys.delete(apiKey)) ctx.counters.listenKeysDeleted += 1;
        send(response, 200, {});
        return;
      default:
        send(response, 405, { code: BinanceErrorCode.Unknown, msg: `${request.method ?? ''} not allowed` });
    }
  };
  ctx.later(answer);
}
