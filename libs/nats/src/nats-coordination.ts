import { hostname } from 'node:os';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  ExchangeConnectionError,
  MAX_TIMER_MS,
  type ClientLogger,
  type SupervisedConnectionOptions,
} from '@exchange-connection/core';
import { CoordinatedConnection } from './coordinated-connection.js';
import type { CoordinationSettings, NatsLink } from './coordination-types.js';
import { isSafeSubjectPrefix } from './subject-names.js';

export interface NatsCoordinationOptions {
  /** NATS server URLs (`nats://host:4222`); ignored when `connection` is given. */
  servers?: string | string[];
  /** An open NATS connection to use (the caller closes it); default: one of our own, from `servers`. */
  connection?: NatsConnection;
  /** This replica's name among the others (default: `<hostname>-<pid>`). Must differ between replicas. */
  instanceId?: string;
  /** JetStream KV bucket holding one lease per connection (default `exchange_connection_leases`). */
  bucket?: string;
  /** First token(s) of every subject (default `exchange`): `<prefix>.<connection>.ch.<channel>`. */
  subjectPrefix?: string;
  /**
   * Lease time to live, ms (default 30000). A dead owner is replaced within TTL + one renew
   * interval. Keep it well above the venue's heartbeat bound (Deribit: 2 × at least 10 s): a frozen
   * owner cannot fence itself, and only the venue dropping its socket protects the account then.
   */
  ttlMs?: number;
  /** How often the owner renews, ms (default TTL / 3). */
  renewIntervalMs?: number;
  /** The owner fences itself this long before its lease could expire, ms (default TTL / 5). */
  fenceMarginMs?: number;
  /** Channels the owner publishes even when no replica wants them (services that consume only NATS). */
  fanOutChannels?: Record<string, readonly string[]>;
  logger?: ClientLogger;
}

/** Resolved settings (defaults applied, checked). */
export interface NatsCoordinationSettings {
  instanceId: string;
  bucket: string;
  subjectPrefix: string;
  ttlMs: number;
  renewIntervalMs: number;
  fenceMarginMs: number;
}

export const NATS_COORDINATION_DEFAULTS = {
  bucket: 'exchange_connection_leases',
  subjectPrefix: 'exchange',
  ttlMs: 30_000,
  relayMarginMs: 1_000,
} as const;

/** The default replica name: host and process, unique on one machine and readable in logs. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}

/**
 * Replicas of one service, coordinated over NATS JetStream. Give it to
 * `ExchangeConnectionModule` as `coordination` (or call `coordinate` yourself): each connection
 * then has one owner across replicas, its market data fanned out on NATS, and requests from
 * standbys relayed to the owner. One NATS connection and one KV bucket serve every connection.
 */
export class NatsCoordination {
  readonly settings: NatsCoordinationSettings;
  private linking: Promise<NatsLink> | undefined;
  private ownConnection: NatsConnection | undefined;
  private readonly connections = new Set<CoordinatedConnection>();
  private closed = false;

  constructor(private readonly options: NatsCoordinationOptions) {
    this.settings = resolveSettings(options);
    if (options.connection === undefined && serverList(options.servers).length === 0) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'NATS coordination needs `servers` or an open `connection`');
    }
  }

  /** The connection as every replica shares it; starts nothing until `start()`. */
  coordinate(options: SupervisedConnectionOptions): CoordinatedConnection {
    const settings: CoordinationSettings = {
      ...this.settings,
      relayMarginMs: NATS_COORDINATION_DEFAULTS.relayMarginMs,
      fanOutChannels: this.options.fanOutChannels?.[options.name] ?? [],
    };
    const connection = new CoordinatedConnection(options, settings, () => this.link(), this.options.logger ?? options.logger);
    this.connections.add(connection);
    return connection;
  }

  /** Closes every coordinated connection (releasing leases), then our NATS connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.connections].map((c) => c.close()));
    const own = this.ownConnection;
    if (own !== undefined) await own.drain().catch(() => own.close());
  }

  private link(): Promise<NatsLink> {
    this.linking ??= this.openLink();
    return this.linking;
  }

  private async openLink(): Promise<NatsLink> {
    let nc = this.options.connection;
    if (nc === undefined) {
      nc = await connect({
        servers: serverList(this.options.servers),
        name: `exchange-connection/${this.settings.instanceId}`,
        // Never give up: a NATS outage is waited out (the owner fences itself meanwhile).
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: true,
      });
      this.ownConnection = nc;
      if (this.closed) {
        await nc.close();
        throw new ExchangeConnectionError('CLOSED_BY_USER', 'NATS coordination closed while connecting');
      }
    }
    // JetStream calls time out within one renew interval, so a renewal that cannot land is known
    // to have failed before the next one is due.
    const js = jetstream(nc, { timeout: this.settings.renewIntervalMs });
    const { bucket, ttlMs } = this.settings;
    // `create` opens a bucket that exists as it is, whatever TTL it was made with. A replica that
    // fenced on 30 s in a bucket whose entries lapse after 4 s would be an owner that no longer holds
    // the lease while another replica acquires it: two sessions. So a mismatch is refused.
    const kv = await new Kvm(js).create(bucket, { ttl: ttlMs, history: 1 });
    const actual = (await kv.status()).ttl;
    if (actual !== ttlMs) {
      throw new ExchangeConnectionError(
        'INVALID_CONFIG',
        `NATS bucket '${bucket}' holds leases for ${actual} ms but this replica is set to ${ttlMs} ms (ttlMs, NATS_LEASE_TTL_MS): every replica must use the bucket's TTL; set the same value, or use another bucket (NATS_BUCKET)`,
      );
    }
    return { nc, kv };
  }
}

function serverList(servers: string | string[] | undefined): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : (servers ?? []);
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

function resolveSettings(options: NatsCoordinationOptions): NatsCoordinationSettings {
  const ttlMs = duration('ttlMs', options.ttlMs, NATS_COORDINATION_DEFAULTS.ttlMs);
  const renewIntervalMs = duration('renewIntervalMs', options.renewIntervalMs, Math.max(1, Math.floor(ttlMs / 3)));
  const fenceMarginMs = duration('fenceMarginMs', options.fenceMarginMs, Math.max(1, Math.floor(ttlMs / 5)));
  if (ttlMs < 100) throw invalid('ttlMs must be at least 100 ms');
  if (renewIntervalMs + fenceMarginMs >= ttlMs) {
    throw invalid('renewIntervalMs + fenceMarginMs must be below ttlMs (a renewal must land before the owner fences)');
  }
  const bucket = options.bucket ?? NATS_COORDINATION_DEFAULTS.bucket;
  if (!/^[A-Za-z0-9_-]+$/.test(bucket)) throw invalid(`bucket '${bucket}' may hold only letters, digits, - and _`);
  const subjectPrefix = options.subjectPrefix ?? NATS_COORDINATION_DEFAULTS.subjectPrefix;
  if (!isSafeSubjectPrefix(subjectPrefix))
    throw invalid(`subjectPrefix '${subjectPrefix}' must be dot-separated tokens of [A-Za-z0-9_-]`);
  const instanceId = options.instanceId ?? defaultInstanceId();
  if (instanceId.length === 0) throw invalid('instanceId must not be empty');
  return { instanceId, bucket, subjectPrefix, ttlMs, renewIntervalMs, fenceMarginMs };
}

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw invalid(`${name} must be a number of ms > 0 and <= ${MAX_TIMER_MS}`);
  }
  return value;
}

function invalid(message: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', `NATS coordination: ${message}`);
}

/** Environment variables: a `process.env`-like record, or anything with `get(name)` (Nest's ConfigService). */
export type CoordinationEnv = Readonly<Record<string, string | undefined>> | { get(name: string): unknown };

function reader(env: CoordinationEnv): (name: string) => string | undefined {
  const get = (env as { get?: unknown }).get;
  if (typeof get === 'function') {
    return (name) => {
      const value: unknown = (get as (n: string) => unknown).call(env, name);
      return value === undefined || value === null ? undefined : String(value);
    };
  }
  return (name) => (env as Readonly<Record<string, string | undefined>>)[name];
}

/**
 * Coordination from the environment, or undefined when `NATS_SERVERS` is unset (off by default:
 * without it nothing changes). `EXCHANGE_INSTANCE_ID` names this replica (default host + pid);
 * `NATS_LEASE_TTL_MS`, `NATS_BUCKET` and `NATS_SUBJECT_PREFIX` override the defaults.
 */
export function natsCoordinationFromEnv(
  env: CoordinationEnv = process.env,
  extra: Omit<NatsCoordinationOptions, 'servers'> = {},
): NatsCoordination | undefined {
  const read = reader(env);
  const servers = read('NATS_SERVERS')?.trim();
  if (!servers) return undefined;
  const ttl = read('NATS_LEASE_TTL_MS')?.trim();
  const ttlMs = ttl ? Number(ttl) : undefined;
  if (ttlMs !== undefined && !Number.isInteger(ttlMs))
    throw invalid(`NATS_LEASE_TTL_MS must be an integer number of ms, got '${ttl}'`);
  return new NatsCoordination({
    ...extra,
    servers,
    instanceId: read('EXCHANGE_INSTANCE_ID')?.trim() || extra.instanceId,
    bucket: read('NATS_BUCKET')?.trim() || extra.bucket,
    subjectPrefix: read('NATS_SUBJECT_PREFIX')?.trim() || extra.subjectPrefix,
    ttlMs: ttlMs ?? extra.ttlMs,
  });
}
