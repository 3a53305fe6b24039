/**
 * One venue's test exchange in a child process, for the venue rows (bybit/, binance/): the child
 * entry (`<venue>-host.ts`) calls `serveVenueHost` with how to start that venue's exchange, which
 * URLs to hand back and how to publish a stream; the benchmark drives it with `RemoteVenue`.
 */
import { HostProcess, publishInBursts, serveHost } from './host-process.js';

type VenueHostCommand =
  | { op: 'start'; symbols: string[] }
  /** `total` messages of `stream` in bursts of `burst`, one burst per event-loop turn. */
  | { op: 'burst'; stream: string; total: number; burst: number }
  | { op: 'stop' };

export interface VenueHost<E extends { stop(): Promise<void> }, U> {
  /** Names the host in errors ("Bybit" → "the Bybit host has not started"). */
  name: string;
  start(symbols: string[]): Promise<E>;
  urls(exchange: E): U;
  publish(exchange: E, stream: string, count: number): void;
}

/** The child's side: serves `start`, `burst` and `stop` for one exchange of the venue. */
export function serveVenueHost<E extends { stop(): Promise<void> }, U>(venue: VenueHost<E, U>): void {
  let exchange: E | undefined;
  const live = (): E => {
    if (exchange === undefined) throw new Error(`the ${venue.name} host has not started`);
    return exchange;
  };
  serveHost<VenueHostCommand>(async (command) => {
    switch (command.op) {
      case 'start':
        exchange = await venue.start(command.symbols);
        return venue.urls(exchange);
      case 'burst': {
        const target = live();
        return publishInBursts(command.total, command.burst, (n) => venue.publish(target, command.stream, n));
      }
      case 'stop':
        await exchange?.stop();
        exchange = undefined;
        return true;
    }
  });
}

/** A venue's test exchange in a child process (the compiled host at `entry`), driven over IPC. */
export class RemoteVenue<U> {
  private constructor(
    private readonly host: HostProcess<VenueHostCommand>,
    readonly urls: U,
  ) {}

  /** `name` as in the host ("Bybit"); `symbols` the exchange lists. */
  static async start<U>(entry: URL, name: string, symbols: string[]): Promise<RemoteVenue<U>> {
    const host = new HostProcess<VenueHostCommand>(entry, `${name} host`);
    const urls = (await host.send({ op: 'start', symbols })) as U;
    return new RemoteVenue(host, urls);
  }

  /** Publishes `total` messages of `stream` from the exchange, `burst` per event-loop turn. */
  burst(stream: string, total: number, burst: number): Promise<unknown> {
    return this.host.send({ op: 'burst', stream, total, burst });
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}
