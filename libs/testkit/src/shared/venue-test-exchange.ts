import { Buffer } from 'node:buffer';
import type { ExchangeHost } from './exchange-host.js';
import { checkedDelay, checkedUpgradeStatus, noFaults, type FaultState } from './fault-state.js';
import type { SocketSession } from './socket-session.js';
import { waitForCondition } from './wait-for-condition.js';

/** Where `sendRaw` writes its frame, and as what. */
export interface RawFrameOptions {
  /** A binary frame instead of a text frame (default false: text, whatever the type of `data`). */
  readonly binary?: boolean;
  /** Only this connection (an id from `connections()`); default every connection. */
  readonly connectionId?: number;
}

/** The frame `sendRaw` writes: checked before anything is sent, so a bad argument sends nothing. */
function checkedRawFrame(data: unknown, options: RawFrameOptions): void {
  if (typeof data !== 'string' && !Buffer.isBuffer(data)) throw new TypeError('sendRaw needs a string or a Buffer');
  const id = options.connectionId;
  if (id !== undefined && (!Number.isSafeInteger(id) || id < 1)) {
    throw new RangeError(`sendRaw connectionId must be a connection id from connections() (got ${String(id)})`);
  }
}

/**
 * What every venue's test exchange does the same way: its life (listen, stop, restart on the same
 * port) and the fault switches that do not depend on the protocol. A venue builds its host and
 * speaks its protocol; switches whose meaning is the venue's (heartbeats, auth) stay with it, in
 * the venue's own terms.
 */
export abstract class VenueTestExchange<S extends SocketSession> {
  protected readonly faults: FaultState = noFaults();
  protected abstract readonly host: ExchangeHost<S>;
  private stopping: Promise<void> | undefined;

  /** `label` names the exchange in a `waitFor` timeout. */
  protected constructor(private readonly label: string) {}

  get port(): number {
    return this.host.port;
  }

  /** Terminates every socket, clears every timer, closes the listener. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Like a venue restart: every session is lost, then it listens on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    this.beforeRelisten();
    await this.listen(this.host.port);
  }

  // ---- faults every venue shares -------------------------------------------------------------

  /** A close frame with `code` to every socket; codes that cannot be sent (1005/1006/1015) terminate. */
  closeAll(code = 1000, reason = ''): void {
    this.host.closeAll(code, reason);
  }

  /** Destroys every socket without a close frame (clients see 1006). */
  terminateAll(): void {
    this.host.terminateAll();
  }

  /** Sockets stay open; nothing is answered or sent (no data, no heartbeats, no idle checks). */
  setBlackHole(on: boolean): void {
    this.faults.blackHole = on;
  }

  /** Every answer waits this long (0 ends it). */
  setResponseDelay(ms: number): void {
    this.faults.responseDelayMs = checkedDelay(ms);
  }

  /** WebSocket upgrades are refused with this HTTP status (null ends it). */
  setUpgradeRejection(status: number | null): void {
    this.faults.upgradeRejection = checkedUpgradeStatus(status);
  }

  /**
   * Any frame at all, exactly as given: bytes no venue would send (truncated JSON, a wrong type in
   * a known envelope, invalid UTF-8 in a text frame, a binary frame, a frame of any size up to the
   * client's limit), to fuzz a client with. To every connection, or to `connectionId` alone.
   * Returns how many connections it was written to (0 when that id is gone; a black hole writes none).
   */
  sendRaw(data: string | Buffer, options: RawFrameOptions = {}): number {
    checkedRawFrame(data, options);
    let sent = 0;
    for (const session of this.host.sessions()) {
      if (options.connectionId !== undefined && session.id !== options.connectionId) continue;
      if (session.sendRaw(data, options.binary === true)) sent += 1;
    }
    return sent;
  }

  /** Resolves once `predicate` holds (checked every 5 ms), rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    return waitForCondition(this.label, predicate, timeoutMs);
  }

  // ---- the venue's part of the life cycle ----------------------------------------------------

  protected async listen(port: number): Promise<void> {
    await this.host.listen(port);
    this.stopping = undefined;
    this.afterListen();
    this.host.emit({ type: 'listening', url: this.listeningUrl() });
  }

  /** What the `listening` event names (the venue's main URL). */
  protected listeningUrl(): string {
    return this.host.origin;
  }

  /** Start the venue's own timers. */
  protected afterListen(): void {}

  /** Stop the venue's own timers and feeds, before the host terminates every socket. */
  protected abstract beforeStop(): void;

  /** Forget what a venue restart forgets beyond the sessions (Deribit: tokens). */
  protected beforeRelisten(): void {}

  private async shutdown(): Promise<void> {
    this.beforeStop();
    await this.host.stop();
    this.host.emit({ type: 'stopped' });
  }
}
