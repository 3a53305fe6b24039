import type { ConnectionEvent } from '@exchange-connection/core';

/** One line per event, prefixed with seconds since the demo started. */
export class DemoLog {
  private readonly started = performance.now();

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  line(tag: string, text: string): void {
    const seconds = (this.elapsedMs() / 1000).toFixed(3).padStart(7);
    process.stdout.write(`+${seconds}s  ${tag.padEnd(8)} ${text}\n`);
  }

  event(event: ConnectionEvent): void {
    const who = `${event.connection}#${event.cycle}`;
    switch (event.type) {
      case 'state':
        this.line('state', `${who} ${event.from} → ${event.to}${event.reason ? ` (${event.reason})` : ''}`);
        return;
      case 'down':
        this.line('down', `${who} ${event.code}: ${event.message}`);
        return;
      case 'rebuild-scheduled':
        this.line('rebuild', `${who} next session in ${event.delayMs} ms (attempt ${event.attempt})`);
        return;
      case 'ready':
        this.line('ready', `${who} ready in ${event.durationMs} ms, ${event.restoredSubscriptions} subscriptions restored`);
        return;
      case 'gap':
        this.line('gap', `${who} ${event.channel}: expected prev ${event.expectedPrev}, got ${event.gotPrev}`);
        return;
      case 'circuit':
        this.line('circuit', `${who} ${event.circuit}${event.reason ? ` (${event.reason})` : ''}`);
        return;
    }
  }
}
