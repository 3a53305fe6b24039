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
import { embeddedConnectionOptions, startEmbeddedExchange } from './embedded/embedded-exchange.js';
import type { Ticker } from './ticker/market-data.service.js';
import { TICKER_CHANNEL } from './ticker/public-channels.js';

/**
 * `npm run demo`: an embedded test exchange behind a fault proxy, the app connected through it, a
 * browser-like client on /stream. Two faults are injected — a dropped socket and a silent half-open
 * link — and recovery (new session, auth, subscriptions restored, ticks flowing) is shown for each.
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

async function main(): Promise<FaultResult[]> {
  const { exchange, credentials } = await startEmbeddedExchange({ seed: 2026, feedIntervalMs: 100 });
  const proxy = await FaultProxy.start({ target: { port: exchange.port } });
  log.line('demo', `test exchange at ${exchange.url}; fault proxy at ${proxy.url()}`);
  let app: INestApplication | undefined;
  let stream: WebSocket | undefined;
  try {
    let connection: ExchangeConnection | undefined;
    let events$: Observable<ConnectionEvent> | undefined;
    const started = await createMarketDataApp({
      connections: embeddedConnectionOptions(proxy.url(), credentials, {
        silenceTimeoutMs: SILENCE_TIMEOUT_MS,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
      }),
      testExchange: ['deribit'],
      logger: ['fatal', 'error'],
      beforeListen: (created) => {
        connection = created.get<ExchangeConnection>(getExchangeConnectionToken('deribit'));
        events$ = connection.events$;
        events$.subscribe((event) => log.event(event));
      },
    });
    app = started.app;
    if (connection === undefined || events$ === undefined) throw new DemoFailure('the app exposes no deribit connection');
    const conn = connection;
    const connEvents$ = events$;
    log.line('demo', `app listening: ${started.httpUrl}/health, ${started.streamUrl}`);

    await conn.whenReady(RECOVERY_BOUND_MS).catch((error: unknown) => {
      throw new DemoFailure(`the connection did not become ready: ${error instanceof Error ? error.message : String(error)}`);
    });

    // A browser-like client of the gateway; ticks are printed in short bursts.
    let ticksToShow = 3;
    let ticksSeen = 0;
    stream = await openStream(started.streamUrl, (ticker) => {
      ticksSeen += 1;
      if (ticksToShow <= 0) return;
      ticksToShow -= 1;
      log.line(
        'tick',
        `${ticker.instrument_name} last ${ticker.last_price} bid ${ticker.best_bid_price} ask ${ticker.best_ask_price} (via /stream)`,
      );
    });
    const ticksAfter = async (what: string, count = 2): Promise<void> => {
      const from = ticksSeen;
      ticksToShow = count;
      await until(() => ticksSeen >= from + count, RECOVERY_BOUND_MS, `ticks ${what}`);
    };
    const showHealth = async (): Promise<void> => {
      const response = await fetch(`${started.httpUrl}/health/ready`);
      const body = (await response.json()) as {
        status?: string;
        details?: { exchange?: { connections?: Record<string, { state?: string; reconnects?: number }> } };
      };
      const deribit = body.details?.exchange?.connections?.deribit;
      log.line(
        'health',
        `GET /health/ready → ${response.status} ${body.status ?? '?'} (deribit ${deribit?.state ?? '?'}, reconnects ${deribit?.reconnects ?? '?'})`,
      );
    };
    await ticksAfter('at start', 3);
    showExchangeSide(exchange);
    await showHealth();

    const results: FaultResult[] = [];

    // Fault 1: the socket drops (RST from "the network").
    {
      log.line('fault', '1/2 dropped socket: the proxy resets every link');
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
        `2/2 half-open link: the proxy black-holes traffic (silence bound ${SILENCE_TIMEOUT_MS} ms, sweep ${SWEEP_INTERVAL_MS} ms)`,
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

    const stats = conn.stats();
    log.line(
      'stats',
      `reconnects ${stats.reconnects}, subscriptions ${stats.subscriptions}, messages ${stats.messagesReceived}, state ${stats.state}`,
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

async function openStream(url: string, onTick: (ticker: Ticker) => void): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; channel?: string; data?: Ticker; state?: string };
    if (frame.type === 'data' && frame.channel === TICKER_CHANNEL && frame.data) onTick(frame.data);
    else if (frame.type === 'state') log.line('stream', `/stream client told: connection ${String(frame.state)}`);
  });
  socket.send(JSON.stringify({ type: 'subscribe', channel: TICKER_CHANNEL }));
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
