/**
 * RSS of the example app while 10 MB venue frames fan out to 30 browser readers (issue 12,
 * finding 6: the gateway used to serialise a frame once per browser; 126 MB → 746 MB).
 *
 *   npm run -s build && node --expose-gc dist/bench/gateway-fanout-rss.js
 *
 * The measured process runs only the app. A child process runs the test exchange (which sends the
 * 10 MB ticker notifications) and the 30 readers, so neither the venue's nor the browsers' copies
 * are counted. Two runs: the default limits (the frame cap drops a 10 MB frame for everyone), and
 * the cap raised to 16 MiB (each frame is delivered, serialised once for all readers).
 */
import 'reflect-metadata';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExchangeConnection } from '@exchange-connection/core';
import { getExchangeConnectionToken } from '@exchange-connection/nestjs';
import { TestExchange } from '@exchange-connection/testkit';
import { WebSocket } from 'ws';
import { createMarketDataApp } from '../apps/market-data/src/bootstrap.js';
import { embeddedConnectionOptions } from '../apps/market-data/src/embedded/embedded-exchange.js';
import type { StreamLimits } from '../apps/market-data/src/ticker/stream-limits.js';
import { rssAfterGc } from './support/gc.js';

const READERS = 30;
const FRAMES = 5;
const FRAME_BYTES = 10 * 1024 * 1024;
const TICKER = 'ticker.BTC-PERPETUAL.100ms';
const MB = 1024 * 1024;

type ToChild =
  { type: 'readers'; streamUrl: string; count: number } | { type: 'send'; bytes: number } | { type: 'count' } | { type: 'stop' };
type ToParent =
  | { type: 'exchange'; url: string; clientId: string; clientSecret: string }
  | { type: 'readers-ready' }
  | { type: 'count'; bigFrames: number; open: number };

// ---- child: the venue and the browsers ----------------------------------------------------------

async function child(): Promise<void> {
  const send = (message: ToParent) => process.send?.(message);
  const account = { clientId: 'rss-bench', clientSecret: 'rss-bench-secret-0123456789' };
  const exchange = await TestExchange.start({
    port: 0,
    seed: 6,
    feedIntervalMs: 100,
    minHeartbeatIntervalSec: 0.2,
    accounts: [account],
  });
  const readers: WebSocket[] = [];
  let bigFrames = 0;
  send({ type: 'exchange', url: exchange.url, ...account });
  process.on('message', (message: ToChild) => {
    switch (message.type) {
      case 'readers':
        void Promise.all(
          Array.from({ length: message.count }, async () => {
            const socket = new WebSocket(message.streamUrl);
            readers.push(socket);
            // A reader that reads: it only counts the big frames, it does not keep them.
            socket.on('message', (data: Buffer) => {
              if (data.length > MB) bigFrames += 1;
            });
            await new Promise((resolve, reject) => {
              socket.once('open', resolve);
              socket.once('error', reject);
            });
            socket.send(JSON.stringify({ type: 'subscribe', channel: TICKER }));
          }),
        ).then(() => send({ type: 'readers-ready' }));
        return;
      case 'send':
        exchange.sendOversized(message.bytes);
        return;
      case 'count':
        send({ type: 'count', bigFrames, open: readers.filter((r) => r.readyState === WebSocket.OPEN).length });
        return;
      case 'stop':
        for (const r of readers) r.terminate();
        void exchange.stop().then(() => process.exit(0));
        return;
    }
  });
}

// ---- parent: the app, measured ------------------------------------------------------------------

function next<T extends ToParent['type']>(proc: ChildProcess, type: T): Promise<Extract<ToParent, { type: T }>> {
  return new Promise((resolve) => {
    const on = (message: ToParent) => {
      if (message.type !== type) return;
      proc.off('message', on);
      resolve(message as Extract<ToParent, { type: T }>);
    };
    proc.on('message', on);
  });
}

interface RunResult {
  limits: string;
  delivered: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
}

async function run(name: string, stream: Partial<StreamLimits>): Promise<RunResult> {
  const proc = fork(fileURLToPath(import.meta.url), ['child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const venue = await next(proc, 'exchange');
  const started = await createMarketDataApp({
    connections: embeddedConnectionOptions(venue.url, {
      kind: 'client_credentials',
      clientId: venue.clientId,
      clientSecret: venue.clientSecret,
    }),
    stream,
    logger: false,
  });
  try {
    await started.app.get<ExchangeConnection>(getExchangeConnectionToken('deribit')).whenReady(10_000);
    proc.send({ type: 'readers', streamUrl: started.streamUrl, count: READERS } satisfies ToChild);
    await next(proc, 'readers-ready');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rssBefore = rssAfterGc();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const count = async () => {
      proc.send({ type: 'count' } satisfies ToChild);
      return next(proc, 'count');
    };
    for (let i = 0; i < FRAMES; i += 1) {
      const before = (await count()).bigFrames;
      proc.send({ type: 'send', bytes: FRAME_BYTES } satisfies ToChild);
      // Delivered to every reader, or (with the cap) to none: give it a bounded time either way.
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && (await count()).bigFrames < before + READERS) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    clearInterval(sampler);
    const delivered = (await count()).bigFrames;
    const rssAfter = rssAfterGc();
    return {
      limits: name,
      delivered,
      rssBeforeMb: rssBefore / MB,
      rssPeakMb: peak / MB,
      rssAfterMb: rssAfter / MB,
    };
  } finally {
    proc.send({ type: 'stop' } satisfies ToChild);
    await started.app.close();
  }
}

async function parent(): Promise<void> {
  const results = [
    await run('default (1 MiB frame cap)', {}),
    await run('frame cap and buffer bound 16 MiB', { maxFrameBytes: 16 * MB, maxBufferedBytes: 16 * MB }),
  ];
  process.stdout.write(`${FRAMES} frames of ${FRAME_BYTES / MB} MB to ${READERS} readers, RSS of the app process (MB)\n`);
  process.stdout.write(
    '| limits | frames delivered (of ' + FRAMES * READERS + ') | RSS before (after GC) | RSS peak | RSS after (after GC) |\n',
  );
  process.stdout.write('|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(
      `| ${r.limits} | ${r.delivered} | ${r.rssBeforeMb.toFixed(0)} | ${r.rssPeakMb.toFixed(0)} | ${r.rssAfterMb.toFixed(0)} |\n`,
    );
  }
}

if (process.argv[2] === 'child') void child();
else
  parent().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `gateway-fanout-rss FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
