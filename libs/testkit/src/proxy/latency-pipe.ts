import type { LinkConditions } from './link-faults.js';

/** Where a pipe delivers: one direction of a link, already bound to its destination socket. */
export interface PipeSink {
  write(chunk: Buffer): void;
  /** The source sent FIN. */
  end(): void;
  /** The source failed (RST, refused connect, …). */
  reset(): void;
}

type Signal = 'end' | 'reset';

interface QueuedItem {
  readonly due: number;
  readonly chunk?: Buffer;
  readonly signal?: Signal;
}

/**
 * One direction of a link. Delays every chunk by the current latency while keeping order (a chunk
 * is never due before the one ahead of it, even if the latency dropped in between), discards data
 * while the link is black-holed, and holds FIN/RST back during a black hole so neither peer learns
 * that the other went away until the "network" heals.
 */
export class LatencyPipe {
  private readonly queue: QueuedItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastDue = 0;
  private heldSignal: Signal | undefined;
  private disposed = false;

  constructor(
    private readonly sink: PipeSink,
    private readonly conditions: LinkConditions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(chunk: Buffer): void {
    // Data that arrives during a black hole is lost, exactly as on a partitioned network.
    if (this.disposed || this.conditions.blackHole) return;
    this.enqueue({ chunk });
  }

  end(): void {
    if (!this.disposed) this.enqueue({ signal: 'end' });
  }

  reset(): void {
    if (!this.disposed) this.enqueue({ signal: 'reset' });
  }

  /** The black hole was lifted: deliver the FIN/RST it held back. */
  resume(): void {
    if (this.disposed || this.conditions.blackHole || this.heldSignal === undefined) return;
    const signal = this.heldSignal;
    this.heldSignal = undefined;
    this.signalSink(signal);
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(item: { chunk?: Buffer; signal?: Signal }): void {
    const latency = this.conditions.latencyMs;
    if (latency <= 0 && this.queue.length === 0) {
      this.deliver(item);
      return;
    }
    const due = Math.max(this.now() + latency, this.lastDue);
    this.lastDue = due;
    this.queue.push({ ...item, due });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    const wait = Math.max(0, Math.ceil(this.queue[0].due - this.now()));
    this.timer = setTimeout(() => this.flushDue(), wait);
  }

  private flushDue(): void {
    this.timer = undefined;
    const now = this.now();
    while (!this.disposed && this.queue.length > 0 && this.queue[0].due <= now) {
      const item = this.queue.shift();
      if (item) this.deliver(item);
    }
    this.schedule();
  }

  private deliver(item: { chunk?: Buffer; signal?: Signal }): void {
    if (this.disposed) return;
    if (item.chunk !== undefined) {
      if (!this.conditions.blackHole) this.sink.write(item.chunk);
      return;
    }
    if (item.signal === undefined) return;
    if (this.conditions.blackHole) {
      // A reset outranks a FIN: once either side saw an error, the link cannot end cleanly.
      this.heldSignal = this.heldSignal === 'reset' ? 'reset' : item.signal;
      return;
    }
    this.signalSink(item.signal);
  }

  private signalSink(signal: Signal): void {
    if (signal === 'end') this.sink.end();
    else this.sink.reset();
  }
}
