import type { HeartbeatType } from './json-rpc-envelope.js';
import type { FaultState } from '../shared/fault-state.js';

export interface HeartbeatHooks {
  send(type: HeartbeatType): void;
  /** A `test_request` went unanswered for a whole interval: the connection must close. */
  onMissed(): void;
  onTestRequestSent(): void;
}

/**
 * Deribit's `set_heartbeat` contract for one connection: every interval a `test_request`; if the
 * previous one was not answered by `public/test`, the connection is closed instead.
 */
export class HeartbeatMonitor {
  private timer: NodeJS.Timeout | undefined;
  private awaitingTest = false;
  private interval: number | undefined;

  constructor(
    private readonly hooks: HeartbeatHooks,
    private readonly faults: FaultState,
  ) {}

  get intervalSec(): number | undefined {
    return this.interval;
  }

  start(intervalSec: number): void {
    this.stop();
    this.interval = intervalSec;
    this.timer = setInterval(() => this.tick(), intervalSec * 1000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.interval = undefined;
    this.awaitingTest = false;
  }

  testAnswered(): void {
    if (!this.faults.ignoreHeartbeatAnswers) this.awaitingTest = false;
  }

  private tick(): void {
    // A black-holed or paused server sends nothing, so it cannot hold the client to an answer.
    if (this.faults.blackHole || this.faults.heartbeatsPaused) return;
    if (this.awaitingTest) {
      this.stop();
      this.hooks.onMissed();
      return;
    }
    this.awaitingTest = true;
    this.hooks.send('test_request');
    this.hooks.onTestRequestSent();
  }
}
