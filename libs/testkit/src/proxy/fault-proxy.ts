import { createServer, type Server, type Socket } from 'node:net';
import { LinkFaults } from './link-faults.js';
import { hardClose } from './hard-close.js';
import { ProxyLink, type ProxyTarget } from './proxy-link.js';

export interface FaultProxyOptions {
  target: ProxyTarget;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 0 (any free port). */
  port?: number;
}

/** How long stop() waits for reset links to report their close before destroying them. */
const STOP_BOUND_MS = 2_000;

/**
 * A TCP proxy that makes the faults a server cannot fake on its own socket: latency, a silent
 * half-open link (black hole), refused connections, RST and FIN from "the network".
 */
export class FaultProxy {
  private readonly faults = new LinkFaults();
  private readonly links = new Set<ProxyLink>();
  private currentTarget: ProxyTarget;
  private listenPort = 0;
  private linksAccepted = 0;
  private connectionsRefused = 0;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    target: ProxyTarget,
  ) {
    this.currentTarget = { ...target };
    server.on('connection', (socket) => this.accept(socket));
    // Errors after listen (EMFILE on accept and the like) must not crash a test run.
    server.on('error', () => undefined);
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    const proxy = new FaultProxy(server, options.host ?? '127.0.0.1', options.target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: proxy.host, port: options.port ?? 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('FaultProxy: listener has no TCP address');
    proxy.listenPort = address.port;
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get target(): ProxyTarget {
    return { ...this.currentTarget };
  }

  /** Links currently open (either socket still open). */
  get activeLinks(): number {
    return this.links.size;
  }

  /** Links ever accepted and forwarded (refused connections are not counted). */
  get totalLinks(): number {
    return this.linksAccepted;
  }

  /** Connections reset on accept while `setRefuseNew(true)`. */
  get refusedConnections(): number {
    return this.connectionsRefused;
  }

  url(path = '/ws/api/v2', scheme: 'ws' | 'wss' = 'ws'): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${scheme}://${host}:${this.port}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** New links go there; existing links keep their upstream. */
  setTarget(target: ProxyTarget): void {
    this.currentTarget = { ...target };
  }

  /** Delay every chunk in both directions by `ms`, order preserved. */
  setLatency(ms: number): void {
    this.faults.setLatency(ms);
  }

  /**
   * Forward nothing either way and keep every connection open: no error, no close on either side.
   * Data arriving meanwhile is discarded; a FIN/RST from one side is held and delivered when lifted.
   */
  setBlackHole(on: boolean): void {
    this.faults.blackHole = on;
    if (!on) for (const link of this.links) link.resume();
  }

  /** Accept new connections and reset them at once, so a client sees ECONNRESET on connect. */
  setRefuseNew(on: boolean): void {
    this.faults.refuseNew = on;
  }

  /** RST every link, both sides. */
  resetAll(): void {
    for (const link of this.links) link.reset();
  }

  /** FIN every link, both sides. */
  closeAll(): void {
    for (const link of this.links) link.close();
  }

  /** Close the listener and reset every link; idempotent; resolves when no handle is left. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const links = [...this.links];
    this.resetAll();
    // An RST normally closes both sockets at once; a link still open after the bound is destroyed
    // outright, so a test's cleanup never waits on a socket that will not report its close.
    let bound: NodeJS.Timeout | undefined;
    const closedInTime = await Promise.race([
      Promise.all(links.map((link) => link.closed)).then(() => true),
      new Promise<boolean>((resolve) => (bound = setTimeout(() => resolve(false), STOP_BOUND_MS))),
    ]);
    clearTimeout(bound);
    if (!closedInTime) for (const link of links) link.forceClose();
    await listenerClosed;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.stopping !== undefined || this.faults.refuseNew) {
      if (this.stopping === undefined) this.connectionsRefused += 1;
      hardClose(socket);
      return;
    }
    this.linksAccepted += 1;
    const link = new ProxyLink(socket, this.currentTarget, this.faults);
    this.links.add(link);
    void link.closed.then(() => this.links.delete(link));
  }
}
