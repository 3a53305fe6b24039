import type { BinanceTestExchange } from '../binance/binance-test-exchange.js';
import type { BybitTestExchange } from '../bybit/bybit-test-exchange.js';
import { isBybitErrorCode, type BybitErrorCodeValue } from '../bybit/bybit-errors.js';
import { BYBIT_MARKETS } from '../bybit/bybit-topics.js';
import type { TestExchange } from '../deribit/test-exchange.js';
import { MALFORMED_KINDS, isMalformedKind } from '../shared/malformed-kind.js';
import { BadRequest, flag, integer, oneOf, text, type Query } from './control-params.js';

/** Every exchange the CLI can run; `venue` tells them apart. */
export type ControllableExchange = TestExchange | BybitTestExchange | BinanceTestExchange;

/** One route: the query, and the request body's bytes (empty when none was sent). */
export type Route = (query: Query, body: Buffer) => unknown;

export interface RouteTable {
  readonly get: Readonly<Record<string, Route>>;
  readonly post: Readonly<Record<string, Route>>;
}

function codeOrOff(query: Query, name: string): number | null {
  const raw = query.get(name);
  if (raw === null || raw === 'off') return null;
  return integer(query, name);
}

/** Routes every venue shares: the same fault switches, introspection and lifecycle. */
function commonRoutes(ex: ControllableExchange): RouteTable {
  return {
    get: {
      '/connections': () => ex.connections(),
      '/counters': () => ex.counters,
    },
    post: {
      '/faults/close': (q) => ex.closeAll(integer(q, 'code', 1000), q.get('reason') ?? ''),
      '/faults/terminate': () => ex.terminateAll(),
      '/faults/black-hole': (q) => ex.setBlackHole(flag(q, 'on')),
      '/faults/heartbeats': (q) => ex.setHeartbeatsPaused(flag(q, 'paused')),
      '/faults/reject-auth': (q) => ex.setRejectAuth(flag(q, 'on')),
      '/faults/delay': (q) => ex.setResponseDelay(integer(q, 'ms')),
      '/faults/rate-limit': (q) =>
        q.get('off') !== null
          ? ex.setRateLimit(false)
          : ex.setRateLimit({ capacity: integer(q, 'capacity'), refillPerSec: integer(q, 'refill') }),
      '/faults/upgrade-rejection': (q) => ex.setUpgradeRejection(codeOrOff(q, 'status')),
      '/faults/malformed': (q) => {
        const kind = text(q, 'kind');
        if (!isMalformedKind(kind)) throw new BadRequest(`kind must be one of ${MALFORMED_KINDS.join(', ')}`);
        ex.sendMalformed(kind);
      },
      '/faults/oversized': (q) => ex.sendOversized(integer(q, 'bytes')),
      // The body's bytes as they came: curl --data-binary @frame.bin keeps them exact.
      '/faults/raw': (q, body) => ({
        sent: ex.sendRaw(body, {
          binary: q.get('binary') === null ? false : flag(q, 'binary'),
          ...(q.get('connection') === null ? {} : { connectionId: integer(q, 'connection') }),
        }),
      }),
      '/restart': () => ex.restart(),
      '/reset-counters': () => ex.resetCounters(),
    },
  };
}

function deribitRoutes(ex: TestExchange): RouteTable {
  return {
    get: {
      '/request-log': () => ex.requestLog,
      '/cancel-on-disconnect-firings': () => ex.cancelOnDisconnectFirings,
    },
    post: {
      '/faults/ignore-test-answers': (q) => ex.setIgnoreTestAnswers(flag(q, 'on')),
      '/faults/expire-tokens': () => ex.expireTokens(),
      '/faults/book-gap': (q) => ex.injectBookGap(text(q, 'channel')),
      '/faults/lifetime': (q) => ex.setConnectionLifetime(q.get('ms') === 'off' ? null : integer(q, 'ms')),
      '/faults/close-connection': (q) => ({
        closed: ex.closeConnection(integer(q, 'id'), integer(q, 'code', 1000), q.get('reason') ?? ''),
      }),
      '/notify': (q) => ({ sent: ex.notifyAll(text(q, 'method')) }),
      '/publish': (q) => ({ recipients: ex.publish(text(q, 'channel'), integer(q, 'count', 1)) }),
    },
  };
}

function bybitCode(query: Query, name: string): BybitErrorCodeValue | null {
  const code = codeOrOff(query, name);
  if (code === null) return null;
  if (!isBybitErrorCode(code)) throw new BadRequest(`${name} must be a Bybit code this exchange knows (got ${code})`);
  return code;
}

function bybitRoutes(ex: BybitTestExchange): RouteTable {
  const market = (q: Query): (typeof BYBIT_MARKETS)[number] => oneOf(q, 'market', BYBIT_MARKETS);
  return {
    get: { '/op-log': () => ex.opLog },
    post: {
      '/faults/reject-auth': (q) => {
        if (q.get('code') === null) return ex.setRejectAuth(flag(q, 'on'));
        return ex.setRejectAuth(bybitCode(q, 'code') ?? false);
      },
      '/faults/op-rejection': (q) => ex.setOpRejection(bybitCode(q, 'code')),
      '/faults/book-gap': (q) => ex.injectBookGap(market(q), text(q, 'topic')),
      '/faults/book-restart': (q) => ex.injectBookRestart(market(q), text(q, 'topic')),
      '/publish': (q) => ({ recipients: ex.publish(market(q), text(q, 'topic'), integer(q, 'count', 1)) }),
    },
  };
}

const BINANCE_PRODUCTS = ['spot', 'usdm'] as const;

function binanceRoutes(ex: BinanceTestExchange): RouteTable {
  const product = (q: Query): (typeof BINANCE_PRODUCTS)[number] => oneOf(q, 'product', BINANCE_PRODUCTS);
  return {
    get: {
      '/request-log': () => ex.requestLog,
      '/depth': (q) => ex.depthSnapshot(product(q), text(q, 'symbol'), integer(q, 'limit', 100)),
    },
    post: {
      '/faults/ignore-pongs': (q) => ex.setIgnorePongs(flag(q, 'on')),
      '/faults/server-shutdown': (q) => ({
        sent: ex.sendServerShutdown(q.get('close-after') === null ? {} : { closeAfterMs: integer(q, 'close-after') }),
      }),
      '/faults/revoke-key': (q) => ex.revokeApiKey(text(q, 'api-key')),
      '/faults/restore-key': (q) => ex.restoreApiKey(text(q, 'api-key')),
      '/faults/end-user-data': (q) => ({ ended: ex.endUserDataStreams(q.get('api-key') ?? undefined) }),
      '/faults/book-gap': (q) => ex.injectBookGap(product(q), text(q, 'stream')),
      '/faults/rest-rejection': (q) =>
        ex.setRestRejection(codeOrOff(q, 'status'), q.get('retry-after') === null ? undefined : integer(q, 'retry-after')),
      '/faults/ip-ban': (q) => ex.banIp(q.get('ms') === 'off' ? null : integer(q, 'ms')),
      '/publish': (q) => ({ recipients: ex.publish(product(q), text(q, 'stream'), integer(q, 'count', 1)) }),
      '/publish-user-data': (q) => ({ recipients: ex.publishUserData(text(q, 'api-key'), integer(q, 'count', 1)) }),
      '/faults/expire-listen-keys': (q) => ({ expired: ex.expireListenKeys(q.get('api-key') ?? undefined) }),
      '/publish-futures-user-data': (q) => ({
        recipients: ex.publishFuturesUserData(text(q, 'api-key'), integer(q, 'count', 1)),
      }),
    },
  };
}

/** The routes of one exchange: the common ones, then its venue's (which may replace a common one). */
export function routesFor(ex: ControllableExchange): RouteTable {
  const common = commonRoutes(ex);
  const venue = ex.venue === 'deribit' ? deribitRoutes(ex) : ex.venue === 'bybit' ? bybitRoutes(ex) : binanceRoutes(ex);
  return { get: { ...common.get, ...venue.get }, post: { ...common.post, ...venue.post } };
}
