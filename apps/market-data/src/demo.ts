import 'reflect-metadata';
import { type ConnectionEvent, type ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import type { INestApplication } from '@nestjs/common';
import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import { createMarketDataApp } from './bootstrap.js';
import { DemoLog } from './demo/demo-log.js';
import { logUnhandledRxjsErrors } from './rxjs-unhandled-errors.js';
import { FaultProxy } from '@exchange-connection/testkit';
import {
  embeddedBinanceConnection,
  embeddedBybitConnection,
  embeddedConnectionOptions,
  startEmbeddedBinanceExchange,
  startEmbeddedBybitExchange,
  startEmbeddedExchange,
} from './embedded/embedded-exchange.js';
import type { Ticker } from './ticker/market-data.service.js';
import { TICKER_CHANNEL } from './ticker/public-channels.js';
import { APP_VENUES } from './venues/app-venues.js';

/**
 * `npm run demo`: three venues at once. An embedded Deribit test exchange behind a fault proxy, an
 * embedded Bybit and an embedded Binance test exchange, the app connected to all three
 * (EXCHANGE_CONNECTIONS=deribit,bybit,binance as code), a browser-like client on /stream taking
 * ticks from each. Three faults are injected — a
 * dropped Deribit socket, a silent half-open Deribit link, every Bybit socket dropped — and
 * recovery (new session, subscriptions restored, ticks flowing) is shown for each, the other
 * venue carrying on meanwhile.
 */
const SILENCE_TIMEOUT_MS = 1_500;
const SWEEP_INTERVAL_MS = 250;
const RECOVERY_BOUND_MS = 8_000;
const DEMO_BOUND_MS = 30_000;

interface FaultResult {
  fault: string;
  detectedMs: number;
  recoveredMs: number;
  restored: number;
}

class DemoFailure extends Error {}

const log = new DemoLog();

const BYBIT_TICKER = APP_VENUES.bybit.ticker;
const BINANCE_TICKER = APP_VENUES.binance.ticker;

/** The fields of Binance's 24hrTicker event the demo shows. */
interface BinanceTicker {
  s?: string;
  c?: string;
  b?: string;
  a?: string;
}

/** The fields of a Bybit ticker the demo shows (linear sends a snapshot, then deltas of what changed). */
interface BybitTicker {
  symbol?: string;
  lastPrice?: string;
  bid1Price?: string;
  ask1Price?: string;
}

async function main(): Promise<FaultResult[]> {
  const { exchange, credentials } = await startEmbeddedExchange({ seed: 2026, feedIntervalMs: 100 });
  const bybitEmbedded = await startEmbeddedBybitExchange({ seed: 2026, feedIntervalMs: 100 });
  const bybitExchange = bybitEmbedded.exchange;
  const binanceExchange = await startEmbeddedBinanceExchange({ seed: 2026, feedIntervalMs: 100 });
  const proxy = await FaultProxy.start({ target: { port: exchange.port } });
  log.line('demo', `Deribit test exchange at ${exchange.url}; fault proxy at ${proxy.url()}`);
  log.line('demo', `Bybit test exchange at ${bybitExchange.url(bybitEmbedded.market)}`);
  log.line('demo', `Binance test exchange at ${binanceExchange.urls.spotCombined}`);
  let app: INestApplication | undefined;
  let stream: WebSocket | undefined;
  try {
    let connection: ExchangeConnection | undefined;
    let bybit: ExchangeConnection | undefined;
    let events$: Observable<ConnectionEvent> | undefined;
    const connections = embeddedConnectionOptions(proxy.url(), credentials, {
      silenceTimeoutMs: SILENCE_TIMEOUT_MS,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
    });
    connections.connections.push(
      embeddedBybitConnection('bybit', bybitEmbedded, { silenceTimeoutMs: SILENCE_TIMEOUT_MS }),
      embeddedBinanceConnection('binance', binanceExchange, { silenceTimeoutMs: SILENCE_TIMEOUT_MS }),
    );
    const started = await createMarketDataApp({
      connections,
      testExchange: ['deribit', 'bybit', 'binance'],
      logger: ['fatal', 'error'],
      beforeListen: (created) => {
        connection = created.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
        events$ = connection.events$;
        events$.subscribe((event) => log.event(event));
        bybit = created.get<ExchangeConnection>(getExchangeConnectionToken('bybit'));
        bybit.events$.subscribe((event) => log.event(event));
      },
    });
    app = started.app;
    if (connection === undefined || events$ === undefined) throw new DemoFailure('the app exposes no deribit connection');
    if (bybit === undefined) throw new DemoFailure('the app exposes no bybit connection');
    const conn = connection;
    const bybitConn = bybit;
    const connEvents$ = events$;
    log.line('demo', `app listening: ${started.httpUrl}/health, ${started.streamUrl}`);

    await Promise.all([conn.whenReady(RECOVERY_BOUND_MS), bybitConn.whenReady(RECOVERY_BOUND_MS)]).catch((error: unknown) => {
      throw new DemoFailure(`the connections did not become ready: ${error instanceof Error ? error.message : String(error)}`);
    });

    // A browser-like client of the gateway; ticks are printed in short bursts.
    let ticksToShow = 3;
    let ticksSeen = 0;
    let bybitToShow = 2;
    let bybitSeen = 0;
    let binanceToShow = 2;
    let binanceSeen = 0;
    const bybitTicker: BybitTicker = {};
    stream = await openStream(
      started.streamUrl,
      (ticker) => {
        ticksSeen += 1;
        if (ticksToShow <= 0) return;
        ticksToShow -= 1;
        log.line(
          'tick',
          `deribit ${ticker.instrument_name} last ${ticker.last_price} bid ${ticker.best_bid_price} ask ${ticker.best_ask_price} (via /stream)`,
        );
      },
      (delta) => {
        bybitSeen += 1;
        Object.assign(bybitTicker, Object.fromEntries(Object.entries(delta).filter(([, v]) => v !== undefined)));
        if (bybitToShow <= 0) return;
        bybitToShow -= 1;
        const t = bybitTicker;
        log.line(
          'tick',
          `bybit   ${t.symbol ?? '?'} last ${t.lastPrice ?? '?'} bid ${t.bid1Price ?? '?'} ask ${t.ask1Price ?? '?'} (via /stream)`,
        );
      },
      (t) => {
        binanceSeen += 1;
        if (binanceToShow <= 0) return;
        binanceToShow -= 1;
        log.line('tick', `binance ${t.s ?? '?'} last ${t.c ?? '?'} bid ${t.b ?? '?'} ask ${t.a ?? '?'} (via /stream)`);
      },
    );
    const ticksAfter = async (what: string, count = 2): Promise<void> => {
      const from = ticksSeen;
      ticksToShow = count;
      await until(() => ticksSeen >= from + count, RECOVERY_BOUND_MS, `ticks ${what}`);
    };
    const bybitTicksAfter = async (what: string, count = 2): Promise<void> => {
      const from = bybitSeen;
      bybitToShow = count;
      await until(() => bybitSeen >= from + count, RECOVERY_BOUND_MS, `bybit ticks ${what}`);
    };
    const showHealth = async (): Promise<void> => {
      const response = await fetch(`${started.httpUrl}/health/ready`);
      const body = (await response.json()) as {
        status?: string;
        details?: { exchange?: { connections?: Record<string, { state?: string; reconnects?: number }> } };
      };
      const each = Object.entries(body.details?.exchange?.connections ?? {})
        .map(([name, c]) => `${name} ${c.state ?? '?'}, reconnects ${c.reconnects ?? '?'}`)
        .join('; ');
      log.line('health', `GET /health/ready → ${response.status} ${body.status ?? '?'} (${each})`);
    };
    await ticksAfter('at start', 3);
    await bybitTicksAfter('at start', 2);
    await until(() => binanceSeen >= 2, RECOVERY_BOUND_MS, 'binance ticks at start');
    showExchangeSide(exchange);
    await showHealth();

    const results: FaultResult[] = [];

    // Fault 1: the socket drops (RST from "the network").
    {
      log.line('fault', '1/3 Deribit dropped socket: the proxy resets every link');
      const t0 = log.elapsedMs();
      const down = nextEvent(connEvents$, (e) => e.type === 'down', RECOVERY_BOUND_MS, 'the drop to be noticed');
      const ready = nextEvent(connEvents$, (e) => e.type === 'ready', RECOVERY_BOUND_MS, 'recovery from the dropped socket');
      proxy.resetAll();
      await down;
      const detectedMs = log.elapsedMs() - t0;
      const readyEvent = await ready;
      const recoveredMs = log.elapsedMs() - t0;
      showExchangeSide(exchange);
      await ticksAfter('after the drop');
      await showHealth();
      results.push({ fault: 'dropped socket (RST)', detectedMs, recoveredMs, restored: restoredOf(readyEvent) });
    }

    // Fault 2: a half-open link — nothing arrives, nothing errors. Only silence gives it away.
    {
      log.line(
        'fault',
        `2/3 Deribit half-open link: the proxy black-holes traffic (silence bound ${SILENCE_TIMEOUT_MS} ms, sweep ${SWEEP_INTERVAL_MS} ms)`,
      );
      const t0 = log.elapsedMs();
      const down = nextEvent(
        connEvents$,
        (e) => e.type === 'down',
        SILENCE_TIMEOUT_MS + RECOVERY_BOUND_MS,
        'the half-open link to be detected',
      );
      const ready = nextEvent(
        connEvents$,
        (e) => e.type === 'ready',
        SILENCE_TIMEOUT_MS + RECOVERY_BOUND_MS,
        'recovery from the half-open link',
      );
      // Lifted synchronously on detection, before the rebuild's timer can fire.
      const lift = connEvents$.pipe(filter((e) => e.type === 'down')).subscribe(() => {
        proxy.setBlackHole(false);
        log.line('fault', 'detected; black hole lifted');
        lift.unsubscribe();
      });
      proxy.setBlackHole(true);
      await down;
      const detectedMs = log.elapsedMs() - t0;
      const readyEvent = await ready;
      const recoveredMs = log.elapsedMs() - t0;
      showExchangeSide(exchange);
      await ticksAfter('after the half-open link');
      await showHealth();
      results.push({ fault: 'half-open link (black hole)', detectedMs, recoveredMs, restored: restoredOf(readyEvent) });
    }

    {
      log.line('fault', '3/3 Bybit dropped sockets: the Bybit test exchange terminates every socket (Deribit carries on)');
      const t0 = log.elapsedMs();
      const deribitTicks = ticksSeen;
      const down = nextEvent(bybitConn.events$, (e) => e.type === 'down', RECOVERY_BOUND_MS, 'the Bybit drop to be noticed');
      const ready = nextEvent(bybitConn.events$, (e) => e.type === 'ready', RECOVERY_BOUND_MS, 'Bybit recovery');
      bybitExchange.terminateAll();
      await down;
      const detectedMs = log.elapsedMs() - t0;
      const readyEvent = await ready;
      const recoveredMs = log.elapsedMs() - t0;
      await bybitTicksAfter('after the Bybit drop');
      await until(() => ticksSeen > deribitTicks, RECOVERY_BOUND_MS, 'Deribit ticks during the Bybit fault');
      await showHealth();
      results.push({ fault: 'Bybit sockets dropped', detectedMs, recoveredMs, restored: restoredOf(readyEvent) });
    }

    const stats = conn.stats();
    log.line(
      'stats',
      `deribit: reconnects ${stats.reconnects}, subscriptions ${stats.subscriptions}, messages ${stats.messagesReceived}, state ${stats.state}`,
    );
    const bybitStats = bybitConn.stats();
    log.line(
      'stats',
      `bybit:   reconnects ${bybitStats.reconnects}, subscriptions ${bybitStats.subscriptions}, messages ${bybitStats.messagesReceived}, state ${bybitStats.state}`,
    );
    log.line(
      'stats',
      `exchange: ${exchange.counters.connections} sockets, ${exchange.counters.auth} auths, ${exchange.counters.subscribeCalls} subscribe calls; ${ticksSeen} ticks reached /stream`,
    );
    return results;
  } finally {
    stream?.terminate();
    await app?.close();
    await proxy.stop();
    await exchange.stop();
    await bybitExchange.stop();
    await binanceExchange.stop();
  }
}

function showExchangeSide(exchange: Awaited<ReturnType<typeof startEmbeddedExchange>>['exchange']): void {
  const live = exchange.connections();
  const latest = live.reduce<(typeof live)[number] | undefined>((a, b) => (a === undefined || b.id > a.id ? b : a), undefined);
  const subs = latest?.subscriptions.join(', ') ?? 'none';
  log.line(
    'exchange',
    `connection #${latest?.id ?? '-'} authenticated=${latest?.authenticated ?? false} subscriptions [${subs}]; auths so far ${exchange.counters.auth}`,
  );
}

function restoredOf(event: ConnectionEvent): number {
  return event.type === 'ready' ? event.restoredSubscriptions : 0;
}

function nextEvent(
  events$: Observable<ConnectionEvent>,
  match: (e: ConnectionEvent) => boolean,
  boundMs: number,
  what: string,
): Promise<ConnectionEvent> {
  return firstValueFrom(events$.pipe(filter(match), timeout({ first: boundMs }))).catch(() => {
    throw new DemoFailure(`no ${what} within ${boundMs} ms`);
  });
}

async function until(predicate: () => boolean, boundMs: number, what: string): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new DemoFailure(`no ${what} within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function openStream(
  url: string,
  onTick: (ticker: Ticker) => void,
  onBybitTick: (ticker: BybitTicker) => void,
  onBinanceTick: (ticker: BinanceTicker) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as {
      type: string;
      connection?: string;
      channel?: string;
      data?: unknown;
      state?: string;
    };
    if (frame.type === 'data' && frame.connection === 'deribit' && frame.channel === TICKER_CHANNEL && frame.data)
      onTick(frame.data as Ticker);
    else if (frame.type === 'data' && frame.connection === 'bybit' && frame.channel === BYBIT_TICKER)
      onBybitTick((frame.data as { data?: BybitTicker } | undefined)?.data ?? {});
    else if (frame.type === 'data' && frame.connection === 'binance' && frame.channel === BINANCE_TICKER)
      onBinanceTick((frame.data ?? {}) as BinanceTicker);
    else if (frame.type === 'state')
      log.line('stream', `/stream client told: connection ${String(frame.connection)} ${String(frame.state)}`);
  });
  socket.send(JSON.stringify({ type: 'subscribe', connection: 'deribit', channel: TICKER_CHANNEL }));
  socket.send(JSON.stringify({ type: 'subscribe', connection: 'bybit', channel: BYBIT_TICKER }));
  socket.send(JSON.stringify({ type: 'subscribe', connection: 'binance', channel: BINANCE_TICKER }));
  return socket;
}

function summary(results: FaultResult[]): void {
  process.stdout.write('\nsummary\n');
  for (const r of results) {
    process.stdout.write(
      `  ${r.fault.padEnd(28)} detected after ${Math.round(r.detectedMs).toString().padStart(5)} ms, ready again after ${Math.round(r.recoveredMs).toString().padStart(5)} ms, ${r.restored} subscriptions restored\n`,
    );
  }
}

logUnhandledRxjsErrors({
  log: (message: unknown) => log.line('rxjs', String(message)),
  warn: (message: unknown) => log.line('rxjs', String(message)),
  error: (message: unknown) => log.line('rxjs', String(message)),
});

// Exit on our own if anything hangs: the demo must never need a Ctrl-C.
const watchdog = setTimeout(() => {
  process.stderr.write(`demo FAILED: did not finish within ${DEMO_BOUND_MS} ms\n`);
  process.exit(2);
}, DEMO_BOUND_MS);
watchdog.unref();

main()
  .then((results) => {
    summary(results);
    process.stdout.write('demo OK\n');
  })
  .catch((error: unknown) => {
    process.stderr.write(`demo FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
