import { WebSocket } from 'ws';
import { waitFor, waitForEvent } from '../support/wait-for.js';

export type StreamFrame = { type: string; [key: string]: unknown };

/** A real `ws` client of the /stream gateway that records every frame it receives. */
export class StreamTestClient {
  readonly frames: StreamFrame[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data)) as StreamFrame));
    socket.on('close', (code) => (this.closeCode = code));
  }

  static async connect(url: string): Promise<StreamTestClient> {
    const socket = new WebSocket(url);
    const client = new StreamTestClient(socket);
    await waitForEvent(socket, 'open', { rejectOn: ['error'], message: `${url} to open` });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  of(type: string, channel?: string): StreamFrame[] {
    return this.frames.filter((f) => f.type === type && (channel === undefined || f.channel === channel));
  }

  /** Waits until at least `count` frames match; returns them. */
  async waitFrames(
    predicate: (f: StreamFrame) => boolean,
    count = 1,
    message = 'frames',
    timeoutMs = 5_000,
  ): Promise<StreamFrame[]> {
    return waitFor(
      () => {
        const found = this.frames.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, message },
    );
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = waitForEvent(this.socket, 'close', { timeoutMs: 5_000 });
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) this.socket.close();
    await closed;
  }
}
