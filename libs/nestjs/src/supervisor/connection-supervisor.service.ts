import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import type { ClientLogger, RotationOutcome } from '@exchange-connection/core';
import { ExchangeConnectionError } from '@exchange-connection/core';
import { MODULE_DEFAULTS } from '../config/nest-defaults.js';
import { validateConnectionConfig, validateModuleOptions } from '../config/validate-config.js';
import { createExchangeConnection } from './connection-factory.js';
import { registerConfigSecrets } from '../logging/config-secrets.js';
import { logConnectionEvent } from '../logging/connection-event-log.js';
import { nestConnectionLogger, withRedaction } from '../logging/redacting-logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import type { ExchangeConnectionConfig, ExchangeConnectionModuleOptions } from '../module/exchange-connection-options.js';
import { EXCHANGE_CONNECTION_MODULE_OPTIONS } from '../module/exchange-connection.tokens.js';
import type { ManagedExchangeConnection } from '../module/connection-coordination.js';

/**
 * The one registry of live connections in a Nest app (no static state: a second app in the same
 * process has its own). Connects on bootstrap without blocking it, sweeps on an interval, and
 * closes in order on shutdown: stop the sweep, then close every connection (each bounded: polite
 * unsubscribe, fail in-flight requests, terminate sockets, clear timers).
 *
 * The sweep interval lives in the app's SchedulerRegistry when the app imports
 * `ScheduleModule.forRoot()` (so it is listed with the app's own jobs), else in a registry of this
 * service's own. The module never imports ScheduleModule itself: a second `forRoot()` would run
 * every `@Interval`/`@Cron` job of the app twice.
 */
@Injectable()
export class ConnectionSupervisorService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly connections = new Map<string, ManagedExchangeConnection>();
  private readonly sweepJobName = `exchange-connection-sweep-${randomUUID()}`;
  private readonly logger: ClientLogger;
  /** Shared by every connection's log lines; each added config registers its secrets here. */
  readonly redactor: SecretRedactor;
  private started = false;
  private closing: Promise<void> | undefined;
  private lastSweepMs = 0;

  private readonly scheduler: SchedulerRegistry;

  constructor(
    @Inject(EXCHANGE_CONNECTION_MODULE_OPTIONS) private readonly options: ExchangeConnectionModuleOptions,
    @Optional() scheduler?: SchedulerRegistry,
  ) {
    // Fails at startup naming the field (connections[0].silenceTimeoutMs), before anything is built.
    validateModuleOptions(options);
    this.scheduler = scheduler ?? new SchedulerRegistry();
    this.redactor = options.redactor ?? new SecretRedactor();
    // A user's logger is wrapped too: nothing unredacted reaches any logger.
    this.logger = withRedaction(options.logger ?? nestConnectionLogger(), this.redactor);
    for (const config of options.connections ?? []) this.register(config);
  }

  /** The named connection; throws INVALID_CONFIG naming the configured ones if it does not exist. */
  get(name: string): ManagedExchangeConnection {
    const connection = this.connections.get(name);
    if (connection === undefined) {
      const known = [...this.connections.keys()].join(', ') || 'none';
      throw new ExchangeConnectionError('INVALID_CONFIG', `no exchange connection named '${name}' (configured: ${known})`);
    }
    return connection;
  }

  list(): ManagedExchangeConnection[] {
    return [...this.connections.values()];
  }

  /**
   * Rotates the named connection's sockets make-before-break now (a planned handover, e.g. before
   * maintenance): each socket's replacement is connected, authenticated and restored while the old
   * one serves, consumers are switched with nothing missed or repeated, then the old one closes.
   * Resolves with one outcome per socket (`completed`, `failed` — the old socket serves on —,
   * `abandoned`, or `skipped` when not ready or already rotating); never rejects for a rotation
   * that fails. Counted in `stats().rotations`, /health and the metrics like a planned rotation.
   * Throws INVALID_CONFIG for an unknown name, INVALID_REQUEST for a connection shared with other
   * replicas (rotate it on the replica that owns it).
   */
  rotate(name: string, reason = 'requested'): Promise<RotationOutcome[]> {
    const connection = this.get(name);
    if (connection.rotate === undefined) {
      throw new ExchangeConnectionError(
        'INVALID_REQUEST',
        `exchange connection '${name}' cannot be rotated from this process (it is shared with other replicas)`,
      );
    }
    return connection.rotate(reason);
  }

  /** Register a connection at run time (a pool, another account); it starts at once if the app is up. */
  add(config: ExchangeConnectionConfig): ManagedExchangeConnection {
    validateConnectionConfig(config);
    return this.register(config);
  }

  private register(config: ExchangeConnectionConfig): ManagedExchangeConnection {
    if (this.connections.has(config.name)) {
      throw new ExchangeConnectionError('INVALID_CONFIG', `exchange connection '${config.name}' is configured twice`);
    }
    registerConfigSecrets(this.redactor, config);
    const connection = createExchangeConnection(config, this.logger, this.options.coordination);
    if (this.options.logEvents ?? MODULE_DEFAULTS.logEvents) {
      // Completes with the connection's events$ on close.
      connection.events$.subscribe((event) => logConnectionEvent(this.logger, event));
    }
    this.connections.set(config.name, connection);
    if (this.started) connection.start();
    return connection;
  }

  async remove(name: string): Promise<void> {
    const connection = this.get(name);
    this.connections.delete(name);
    await connection.close();
  }

  /** Duration of the last sweep over every connection, ms. */
  get lastSweepDurationMs(): number {
    return this.lastSweepMs;
  }

  /** One pass over every connection: O(connections), no I/O unless a connection is found dead. */
  sweep(now = Date.now()): void {
    const started = performance.now();
    for (const connection of this.connections.values()) {
      try {
        connection.sweep(now);
      } catch (error) {
        this.logger.error(`sweep failed for ${connection.name}: ${error instanceof Error ? error.message : String(error)}`, {
          connection: connection.name,
        });
      }
    }
    this.lastSweepMs = performance.now() - started;
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const connection of this.connections.values()) connection.start();
    const interval = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? MODULE_DEFAULTS.sweepIntervalMs);
    this.scheduler.addInterval(this.sweepJobName, interval);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.closeAll();
  }

  /** Backstop for contexts that skip beforeApplicationShutdown; idempotent. */
  onApplicationShutdown(): Promise<void> {
    return this.closeAll();
  }

  private closeAll(): Promise<void> {
    this.closing ??= (async () => {
      if (this.scheduler.doesExist('interval', this.sweepJobName)) this.scheduler.deleteInterval(this.sweepJobName);
      await Promise.allSettled([...this.connections.values()].map((c) => c.close()));
      // After the connections: an owner closes its session, then releases its lease.
      await this.options.coordination?.close();
    })();
    return this.closing;
  }
}
