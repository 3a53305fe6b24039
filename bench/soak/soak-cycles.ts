/**
 * Drop/rebuild soak: one supervised connection with many subscriptions loses its socket over and
 * over (exchange terminate, or a proxy RST). Samples after each sample interval what would grow if
 * something leaked: heap after GC, libuv handles by type, listeners on the live client, its socket
 * and the exchange, subjects' observers.
 */
import { DeribitAdapter, ExchangeClient, SupervisedConnection, noJitter, type ConnectionEvent } from '@exchange-connection/core';
import { FaultProxy, TestExchange } from '@exchange-connection/testkit';
import type { EventEmitter } from 'node:events';
import { heapAfterGc } from '../support/gc.js';
import { RemoteExchanges } from '../support/remote-exchange.js';
import { activeResources, type ResourceCounts } from '../support/resources.js';
import { silentLogger } from '../support/silent-logger.js';
import { median } from '../support/stats.js';
import { restoreChannels } from '../restore.js';

export type DropKind = 'exchange-terminate' | 'proxy-reset';

export interface SoakOptions {
  cycles: number;
  subscriptions: number;
  /** Sample every this many cycles. */
  sampleEvery: number;
  /** Alternate the two drop kinds (default), or use one. */
  drop?: DropKind | 'alternate';
  /**
   * Where the exchange runs. 'child-process' keeps its own growth out of the measured heap (it
   * keeps every issued token for its TTL and a record per cancel-on-disconnect firing, ~1.4 KB per
   * cycle, like a venue would); 'in-process' is for the short Jest version.
   */
  exchange?: 'in-process' | 'child-process';
  log?: (line: string) => void;
}

/** The exchange side of the soak, in this process or another. */
interface SoakExchange {
  port: number;
  terminateAll(): Promise<void>;
  publish(channel: string, count: number): Promise<void>;
  connectionCount(): Promise<number>;
  /** Listeners on the exchange's HTTP/ws listener (-1 when it runs in another process). */
  listeners(): number;
  stop(): Promise<void>;
}

async function inProcessExchange(instruments: string[]): Promise<SoakExchange> {
  const exchange = await TestExchange.start({
    port: 0,
    feedIntervalMs: 0,
    instruments,
    minHeartbeatIntervalSec: 1,
    requestLogLimit: 100,
  });
  const listener = (exchange as unknown as ExchangeInternals).listener;
  return {
    port: exchange.port,
    terminateAll: async () => exchange.terminateAll(),
    publish: async (channel, count) => void exchange.publish(channel, count),
    connectionCount: async () => exchange.connections().length,
    listeners: () => listenerTotal(listener?.http) + listenerTotal(listener?.wss),
    stop: () => exchange.stop(),
  };
}

async function childProcessExchange(instruments: string[]): Promise<SoakExchange> {
  const remote = await RemoteExchanges.start({ exchanges: 1, instruments, minHeartbeatIntervalSec: 1 });
  return {
    port: Number(new URL(remote.urls[0] as string).port),
    terminateAll: async () => void (await remote.terminateAll()),
    publish: async (channel, count) => void (await remote.publish(channel, count)),
    connectionCount: () => remote.connections(),
    listeners: () => -1,
    stop: () => remote.stop(),
  };
}

export interface SoakSample {
  cycle: number;
  heapUsed: number;
  resources: ResourceCounts;
  /** Listeners per event on the live ExchangeClient, on its ws socket, and on the exchange's listener. */
  clientListeners: number;
  socketListeners: number;
  exchangeListeners: number;
  exchangeConnections: number;
  proxyLinks: number;
  /** Observers of the connection's state and event subjects (our own one included). */
  subjectObservers: number;
  messagesReceived: number;
}

export interface WindowSummary {
  fromCycle: number;
  toCycle: number;
  heapMedianMb: number;
  resources: ResourceCounts;
  clientListeners: number;
  socketListeners: number;
  exchangeListeners: number;
  subjectObservers: number;
}

export interface SoakResult {
  cycles: number;
  subscriptions: number;
  durationMs: number;
  cyclesPerSec: number;
  first: WindowSummary;
  last: WindowSummary;
  heapGrowth: number;
  /** Resource types whose median count differs between the first and last window. */
  resourceChanges: Record<string, { first: number; last: number }>;
  listenersFlat: boolean;
  reconnects: number;
  messagesReceived: number;
  samples: SoakSample[];
}

function listenerTotal(emitter: EventEmitter | undefined): number {
  if (emitter === undefined) return -1;
  return emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);
}

/** Internals read for measurement only (TypeScript `private`, so present at run time). */
interface ConnectionInternals {
  client?: ExchangeClient;
  stateSubject: { observers: unknown[] };
  eventSubject: { observers: unknown[] };
}
interface ClientInternals {
  current?: { ws: EventEmitter };
}
interface ExchangeInternals {
  listener?: { http?: EventEmitter; wss?: EventEmitter };
}

function sample(
  cycle: number,
  connection: SupervisedConnection,
  exchange: SoakExchange,
  exchangeConnections: number,
  proxy: FaultProxy,
): SoakSample {
  const internals = connection as unknown as ConnectionInternals;
  const client = internals.client;
  const socket = (client as unknown as ClientInternals | undefined)?.current?.ws;
  return {
    cycle,
    heapUsed: heapAfterGc(),
    resources: activeResources(),
    clientListeners: listenerTotal(client),
    socketListeners: listenerTotal(socket),
    exchangeListeners: exchange.listeners(),
    exchangeConnections,
    proxyLinks: proxy.activeLinks,
    subjectObservers: internals.stateSubject.observers.length + internals.eventSubject.observers.length,
    messagesReceived: connection.stats().messagesReceived,
  };
}

function summarize(samples: readonly SoakSample[]): WindowSummary {
  // Median per type: a leak moves it, a handle that happens to be closing at one sample does not.
  const resources: ResourceCounts = {};
  const types = new Set(samples.flatMap((s) => Object.keys(s.resources)));
  for (const type of types) resources[type] = median(samples.map((s) => s.resources[type] ?? 0));
  const max = (pick: (s: SoakSample) => number) => Math.max(...samples.map(pick));
  return {
    fromCycle: samples[0]?.cycle ?? 0,
    toCycle: samples[samples.length - 1]?.cycle ?? 0,
    heapMedianMb: median(samples.map((s) => s.heapUsed)) / 2 ** 20,
    resources,
    clientListeners: max((s) => s.clientListeners),
    socketListeners: max((s) => s.socketListeners),
    exchangeListeners: max((s) => s.exchangeListeners),
    subjectObservers: max((s) => s.subjectObservers),
  };
}

/** Types that come and go with module loading and console output, not with the code under test. */
const IGNORED = new Set(['FSReqCallback', 'FSReqPromise', 'FileHandle', 'TTYWrap', 'PipeWrap', 'ProcessWrap']);

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { instruments, channels } = restoreChannels(options.subscriptions);
  const all = ['BTC-PERPETUAL', ...instruments];
  const exchange = options.exchange === 'child-process' ? await childProcessExchange(all) : await inProcessExchange(all);
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: exchange.port } });
  const connection = new SupervisedConnection({
    name: 'soak',
    url: proxy.url(),
    venue: new DeribitAdapter(),
    session: {
      credentials: { kind: 'client_credentials', clientId: 'test-client', clientSecret: 'test-secret' },
      heartbeatIntervalSec: 10,
      cancelOnDisconnect: { scope: 'connection' },
    },
    // Timers stay armed across cycles (client watchdog, silence bound) without ever firing.
    client: { heartbeat: { intervalMs: 10_000, timeoutMs: 20_000 }, requestTimeoutMs: 5_000, connectTimeoutMs: 5_000 },
    rebuild: { baseDelayMs: 1, maxBackoffMs: 10, jitter: noJitter },
    circuitBreaker: { failureThreshold: 1_000_000 },
    logger: silentLogger(),
  });
  const probe = 'ticker.BTC-PERPETUAL.100ms';
  const consumers = [probe, ...channels.slice(0, options.subscriptions - 1)].map((c) =>
    connection.channel$(c).subscribe(() => undefined),
  );
  let readyCount = 0;
  let onReady: (() => void) | undefined;
  const events = connection.events$.subscribe((event: ConnectionEvent) => {
    if (event.type !== 'ready') return;
    readyCount += 1;
    onReady?.();
  });
  const waitReady = (count: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (readyCount >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`soak: not ready again (ready #${count}) within 10 s`)), 10_000);
      onReady = () => {
        if (readyCount < count) return;
        clearTimeout(timer);
        onReady = undefined;
        resolve();
      };
    });
  const samples: SoakSample[] = [];
  const started = performance.now();
  try {
    connection.start();
    await waitReady(1);
    for (let cycle = 1; cycle <= options.cycles; cycle += 1) {
      const kind: DropKind =
        options.drop === 'exchange-terminate' || options.drop === 'proxy-reset'
          ? options.drop
          : cycle % 2 === 0
            ? 'proxy-reset'
            : 'exchange-terminate';
      if (kind === 'proxy-reset') proxy.resetAll();
      else await exchange.terminateAll();
      await waitReady(cycle + 1);
      if (cycle % options.sampleEvery === 0) {
        // The stream must still flow after the rebuild; and the old socket must be gone on both sides.
        const before = connection.stats().messagesReceived;
        await exchange.publish(probe, 1);
        const deadline = performance.now() + 5_000;
        let exchangeConnections = await exchange.connectionCount();
        while (connection.stats().messagesReceived === before || exchangeConnections !== 1 || proxy.activeLinks !== 1) {
          if (performance.now() > deadline) throw new Error(`soak cycle ${cycle}: stream or sockets did not settle`);
          await new Promise((r) => setTimeout(r, 2));
          exchangeConnections = await exchange.connectionCount();
        }
        samples.push(sample(cycle, connection, exchange, exchangeConnections, proxy));
        if (cycle % (options.sampleEvery * 10) === 0) {
          const s = samples[samples.length - 1] as SoakSample;
          options.log?.(
            `  soak cycle ${cycle}: heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MB, handles ${JSON.stringify(s.resources)}, ` +
              `listeners client ${s.clientListeners} socket ${s.socketListeners} exchange ${s.exchangeListeners}`,
          );
        }
      }
    }
  } finally {
    events.unsubscribe();
    for (const c of consumers) c.unsubscribe();
    await connection.close();
    await proxy.stop();
    await exchange.stop();
  }
  const durationMs = performance.now() - started;
  const windowSize = Math.max(1, Math.floor(samples.length / 10));
  const first = summarize(samples.slice(0, windowSize));
  const last = summarize(samples.slice(-windowSize));
  const resourceChanges: SoakResult['resourceChanges'] = {};
  for (const type of new Set([...Object.keys(first.resources), ...Object.keys(last.resources)])) {
    if (IGNORED.has(type)) continue;
    const a = first.resources[type] ?? 0;
    const b = last.resources[type] ?? 0;
    if (a !== b) resourceChanges[type] = { first: a, last: b };
  }
  return {
    cycles: options.cycles,
    subscriptions: options.subscriptions,
    durationMs,
    cyclesPerSec: options.cycles / (durationMs / 1000),
    first,
    last,
    heapGrowth: last.heapMedianMb / first.heapMedianMb - 1,
    resourceChanges,
    listenersFlat:
      first.clientListeners === last.clientListeners &&
      first.socketListeners === last.socketListeners &&
      first.exchangeListeners === last.exchangeListeners &&
      first.subjectObservers === last.subjectObservers,
    reconnects: connection.stats().reconnects,
    messagesReceived: samples[samples.length - 1]?.messagesReceived ?? 0,
    samples,
  };
}
