// One replica of a service, as its own process (forked by replica-process.ts). It runs the BUILT
// packages by name, as a deployed service would: a coordinated Deribit connection whose consumers
// count what they receive and check the book chain, driven and read over the IPC channel.
import { DeribitAdapter, noJitter } from '@exchange-connection/core';
import { NatsCoordination } from '@exchange-connection/nats';

const config = JSON.parse(process.env.REPLICA_CONFIG ?? '{}');
const send = (message) => {
  if (process.connected) process.send?.(message);
};

const coordination = new NatsCoordination({
  servers: config.natsUrl,
  instanceId: config.instanceId,
  bucket: config.bucket,
  subjectPrefix: config.prefix,
  ttlMs: config.ttlMs,
  renewIntervalMs: config.renewIntervalMs,
  fenceMarginMs: config.fenceMarginMs,
});
const connection = coordination.coordinate({
  name: 'deribit',
  url: config.exchangeUrl,
  venue: new DeribitAdapter({}),
  session: {
    credentials: { kind: 'client_credentials', clientId: 'test-client', clientSecret: 'test-secret' },
    heartbeatIntervalSec: config.heartbeatIntervalSec,
    cancelOnDisconnect: { scope: 'connection' },
  },
  client: { heartbeat: false, requestTimeoutMs: 3_000, connectTimeoutMs: 3_000 },
  rebuild: { baseDelayMs: 50, maxBackoffMs: 500, jitter: noJitter },
  silenceTimeoutMs: 5_000,
});

connection.ownership$.subscribe((o) => send({ type: 'ownership', ...o, at: Date.now() }));
connection.state$.subscribe((state) => send({ type: 'state', state, at: Date.now() }));

/** Per channel: messages, the longest silence between two (since the last reset), book chain faults. */
const channels = {};
/** `count` covers messages stamped at or after this (venue timestamp; 0 = all), book snapshots excluded after a reset. */
let countFrom = 0;
const stampOf = (data) => (Array.isArray(data) ? data[0]?.timestamp : data?.timestamp) ?? 0;
for (const channel of config.channels ?? []) {
  const c = (channels[channel] = { count: 0, lastAt: 0, maxGapMs: 0, broken: 0, snapshots: 0, lastChangeId: undefined });
  connection.channel$(channel).subscribe({
    next: (data) => {
      const now = Date.now();
      if (c.lastAt > 0) c.maxGapMs = Math.max(c.maxGapMs, now - c.lastAt);
      c.lastAt = now;
      if (countFrom === 0 || (stampOf(data) >= countFrom && data?.type !== 'snapshot')) c.count += 1;
      if (channel.startsWith('book.')) {
        if (data.type === 'snapshot') {
          c.snapshots += 1;
          c.lastChangeId = data.change_id;
        } else if (c.lastChangeId === undefined || data.prev_change_id !== c.lastChangeId) {
          c.broken += 1;
        } else {
          c.lastChangeId = data.change_id;
        }
      }
    },
    complete: () => send({ type: 'completed', channel }),
    error: (error) => send({ type: 'channel-error', channel, code: error.code }),
  });
}

process.on('message', (message) => {
  if (message.type === 'report') {
    send({ type: 'report', id: message.id, channels, stats: connection.stats() });
  } else if (message.type === 'reset-counts') {
    countFrom = message.from;
    for (const c of Object.values(channels)) c.count = 0;
    send({ type: 'report', id: message.id, channels, stats: connection.stats() });
  } else if (message.type === 'reset-gaps') {
    for (const c of Object.values(channels)) c.maxGapMs = 0;
    send({ type: 'report', id: message.id, channels, stats: connection.stats() });
  } else if (message.type === 'request') {
    connection.request(message.method, message.params).then(
      (result) => send({ type: 'response', id: message.id, ok: true, result }),
      (error) => send({ type: 'response', id: message.id, ok: false, code: error.code, message: error.message }),
    );
  }
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  send({ type: 'stopping', at: Date.now() });
  void coordination.close().then(() => {
    send({ type: 'stopped', at: Date.now() });
    process.exit(0);
  });
});

connection.start();
send({ type: 'started', pid: process.pid });
