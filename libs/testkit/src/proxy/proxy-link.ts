import { connect, type Socket } from 'node:net';
import type { LinkConditions } from './link-faults.js';
import { hardClose } from './hard-close.js';
import { LatencyPipe, type PipeSink } from './latency-pipe.js';

export interface ProxyTarget {
  readonly host?: string;
  readonly port: number;
}

/**
 * One client↔upstream pair. FIN travels as FIN (both sockets allow half-open) and an error on one
 * side becomes an RST on the other, each through the same pipe as the data so it arrives in order.
 */
export class ProxyLink {
  readonly closed: Promise<void>;
  private readonly upstream: Socket;
  private readonly toUpstream: LatencyPipe;
  private readonly toClient: LatencyPipe;
  private openSockets = 2;
  private markClosed!: () => void;

  constructor(
    private readonly client: Socket,
    target: ProxyTarget,
    conditions: LinkConditions,
  ) {
    this.closed = new Promise<void>((resolve) => (this.markClosed = resolve));
    // Writes made while connecting are buffered by the socket, so client bytes need no queue here.
    this.upstream = connect({ host: target.host ?? '127.0.0.1', port: target.port, allowHalfOpen: true, noDelay: true });
    this.client.setNoDelay(true);
    this.toUpstream = new LatencyPipe(sinkFor(this.client, this.upstream), conditions);
    this.toClient = new LatencyPipe(sinkFor(this.upstream, this.client), conditions);
    this.wire(this.client, this.toUpstream);
    this.wire(this.upstream, this.toClient);
  }

  /** RST both sides now, bypassing latency and black hole. */
  reset(): void {
    hardClose(this.client);
    hardClose(this.upstream);
  }

  /** FIN both sides now (after anything already written), bypassing latency and black hole. */
  close(): void {
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      // A socket still connecting has no FIN to send; there is nothing for its peer to observe.
      if (socket.connecting) socket.destroy();
      else socket.destroySoon();
    }
  }

  /**
   * Last resort of `FaultProxy.stop()`: destroy both sockets and count the link closed now, even
   * if a socket's 'close' never comes (seen under load after a reset), so stop() always resolves.
   */
  forceClose(): void {
    this.client.destroy();
    this.upstream.destroy();
    this.toUpstream.dispose();
    this.toClient.dispose();
    this.markClosed();
  }

  /** The black hole was lifted. */
  resume(): void {
    this.toUpstream.resume();
    this.toClient.resume();
  }

  private wire(source: Socket, pipe: LatencyPipe): void {
    source.on('data', (chunk: Buffer) => pipe.push(chunk));
    source.on('end', () => pipe.end());
    // ECONNRESET, EPIPE, ECONNREFUSED are the point of this proxy: turn them into an RST onward.
    source.on('error', () => pipe.reset());
    source.on('close', () => {
      this.openSockets -= 1;
      if (this.openSockets > 0) return;
      this.toUpstream.dispose();
      this.toClient.dispose();
      this.markClosed();
    });
  }
}

function sinkFor(source: Socket, destination: Socket): PipeSink {
  let paused = false;
  return {
    write(chunk) {
      if (destination.destroyed || !destination.writable) return;
      if (destination.write(chunk) || paused) return;
      // Backpressure only applies when the peer reads slower than the other side writes.
      paused = true;
      source.pause();
      // Also on close: a destination that dies while full never drains, and a paused source would
      // then never see its own FIN or error.
      const resume = (): void => {
        destination.off('drain', resume);
        destination.off('close', resume);
        paused = false;
        source.resume();
      };
      destination.on('drain', resume);
      destination.on('close', resume);
    },
    end() {
      if (!destination.destroyed) destination.end();
    },
    reset() {
      hardClose(destination);
    },
  };
}
