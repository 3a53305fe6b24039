import { waitFor } from '../../support/wait-for.js';
import { check } from '../harness-checks.js';
import type { MatrixScenario } from '../matrix-runner.js';
import { expectCircuitOpen, legsDown } from '../shared-rows.js';
import { FAULT_ACCOUNT, type BinanceInvariantLimits } from './binance-fault-harness.js';
import type { BinanceFuturesUserHarness, FuturesUserHarnessConfig } from './binance-futures-user-harness.js';

/** One row of the USDⓈ-M user data matrix. Runnable on its own: it starts and closes its own world. */
export type FuturesUserScenario = MatrixScenario<BinanceFuturesUserHarness, FuturesUserHarnessConfig, BinanceInvariantLimits>;

const legOf = (ctx: BinanceFuturesUserHarness) => ctx.legs.futures;

function downCode(ctx: BinanceFuturesUserHarness): string {
  const [down] = legOf(ctx).eventsOf('down');
  return `${down?.code}: ${down?.message}`;
}

export const futuresUserScenarios: FuturesUserScenario[] = [
  {
    name: 'futures user data: TCP reset through the proxy',
    fault: 'proxy sends RST both ways on the `/private` socket',
    asserts: 'one down, one rebuild; the POST before the new socket returns the account’s still valid key (no new key)',
    async inject(ctx) {
      ctx.proxy.resetAll();
      await legsDown([legOf(ctx)]);
    },
    expect(ctx) {
      const { listenKeysCreated, listenKeysReturned } = ctx.exchange.counters;
      check(
        listenKeysCreated === 1 && listenKeysReturned >= 1,
        `keys created ${listenKeysCreated}, returned ${listenKeysReturned}`,
      );
    },
  },
  {
    name: 'futures user data: listenKey expired',
    fault: '`expireListenKeys()`: the venue ends the key and pushes `listenKeyExpired`',
    asserts: 'one down (`listenKeyExpired`, not fatal), one rebuild on a new key; the expiry event never reaches consumers',
    async inject(ctx) {
      ctx.exchange.expireListenKeys();
      await legsDown([legOf(ctx)]);
      check(/listenKeyExpired/.test(downCode(ctx)), `down: ${downCode(ctx)}`);
    },
    expect(ctx) {
      check(ctx.exchange.counters.listenKeysCreated === 2, `keys created: ${ctx.exchange.counters.listenKeysCreated}`);
    },
  },
  {
    name: 'futures user data: keepalive answered -1125',
    fault: 'the exchange black-holes the socket, then ends the key: only the keepalive (every 150 ms) can tell',
    asserts: 'one down naming -1125 (before the silence bound), one rebuild on a new key once the socket is back',
    config: { listenKeyKeepAliveMs: 150 },
    async inject(ctx) {
      ctx.exchange.setBlackHole(true);
      ctx.exchange.expireListenKeys();
      await legsDown([legOf(ctx)]);
      ctx.exchange.setBlackHole(false);
      check(/-1125/.test(downCode(ctx)), `down: ${downCode(ctx)}`);
    },
    expect(ctx) {
      check(ctx.exchange.counters.listenKeysCreated === 2, `keys created: ${ctx.exchange.counters.listenKeysCreated}`);
    },
  },
  {
    name: 'futures user data: keepalives within the key validity',
    fault: 'keys live 600 ms after their last keepalive; the adapter extends every 150 ms for 2 s',
    asserts: 'no down, no rebuild, one key all along; at least 8 keepalives',
    config: { listenKeyValidityMs: 600, listenKeyKeepAliveMs: 150 },
    async inject() {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    },
    expect(ctx) {
      const { listenKeysCreated, listenKeysExpired, listenKeyKeepAlives } = ctx.exchange.counters;
      check(
        listenKeysCreated === 1 && listenKeysExpired === 0,
        `keys created ${listenKeysCreated}, expired ${listenKeysExpired}`,
      );
      check(listenKeyKeepAlives >= 8, `keepalives: ${listenKeyKeepAlives}`);
      check(legOf(ctx).eventsOf('down').length === 0, `downs: ${legOf(ctx).eventsOf('down').length}`);
    },
  },
  {
    name: 'futures user data: API key revoked',
    fault:
      '`revokeApiKey()`: the key ends (`listenKeyExpired`) and `POST /fapi/v1/listenKey` answers 401 / -2015; restored after',
    asserts:
      'the circuit opens at once ("API key rejected", INVALID_CREDENTIALS, no new socket); after the cool-down, with the key restored, ready on a new listenKey',
    limits: { circuitMayOpen: true },
    async inject(ctx) {
      const leg = legOf(ctx);
      ctx.exchange.revokeApiKey(FAULT_ACCOUNT.apiKey);
      await ctx.waitForState(leg, 'circuit-open');
      await expectCircuitOpen(leg, 'API key rejected');
      check(
        leg.connection.stats().lastError?.code === 'INVALID_CREDENTIALS',
        `last error ${leg.connection.stats().lastError?.code}`,
      );
      const sockets = ctx.exchange.counters.privateConnections;
      ctx.exchange.restoreApiKey(FAULT_ACCOUNT.apiKey);
      await waitFor(() => leg.connection.state === 'ready', { timeoutMs: 5_000, message: 'ready after the cool-down' });
      check(ctx.exchange.counters.privateConnections === sockets + 1, 'one new socket after the circuit');
    },
  },
];
