import { Subscription } from 'rxjs';
import { type UpstreamClock, UpstreamChannels } from './upstream-channels.js';

/** A clock the test moves by hand; timers fire when it passes their time. */
class ManualClock implements UpstreamClock {
  private time = 0;
  private timers: Array<{ at: number; run: () => void }> = [];
  now = (): number => this.time;
  setTimeout = (run: () => void, ms: number): unknown => {
    const timer = { at: this.time + ms, run };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((t) => t !== handle);
  };
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.run();
    }
    this.time = until;
  }
  get pending(): number {
    return this.timers.length;
  }
}

function setup(limits = { lingerMs: 1_000, burst: 2, perSec: 1 }) {
  const clock = new ManualClock();
  const log: string[] = [];
  const deferred: string[] = [];
  const upstream = new UpstreamChannels(
    (channel) => new Subscription(() => log.push(`closed ${channel}`)),
    limits,
    (change, channel) => log.push(`${change} ${channel}`),
    (change, channel) => deferred.push(`${change} ${channel}`),
    clock,
  );
  return { clock, log, deferred, upstream };
}

describe('UpstreamChannels', () => {
  it('opens a channel once for any number of holders and closes it only after the linger', () => {
    const { clock, log, upstream } = setup();
    upstream.acquire('a');
    upstream.acquire('a');
    expect(log).toEqual(['subscribe a']);
    upstream.release('a');
    upstream.release('a');
    clock.advance(999);
    expect(log).toEqual(['subscribe a']);
    expect(upstream.openChannels()).toEqual(['a']);
    clock.advance(1);
    expect(log).toEqual(['subscribe a', 'closed a', 'unsubscribe a']);
    expect(upstream.openChannels()).toEqual([]);
  });

  it('a holder flapping within the linger never reaches upstream', () => {
    const { clock, log, upstream } = setup();
    upstream.acquire('a');
    for (let i = 0; i < 100; i += 1) {
      upstream.release('a');
      clock.advance(500);
      upstream.acquire('a');
    }
    expect(log).toEqual(['subscribe a']);
  });

  it('spends one token per change: beyond the burst, changes wait for the refill and are counted once as deferred', () => {
    const { clock, log, deferred, upstream } = setup({ lingerMs: 0, burst: 2, perSec: 1 });
    upstream.acquire('a');
    upstream.acquire('b');
    upstream.acquire('c');
    expect(log).toEqual(['subscribe a', 'subscribe b']);
    expect(deferred).toEqual(['subscribe c']);
    clock.advance(999);
    expect(log).toHaveLength(2);
    clock.advance(1);
    expect(log).toEqual(['subscribe a', 'subscribe b', 'subscribe c']);
    expect(deferred).toEqual(['subscribe c']);
  });

  it('a change that waits is judged against the wanted state when its token is due: opposite changes cancel out', () => {
    const { clock, log, upstream } = setup({ lingerMs: 0, burst: 1, perSec: 1 });
    upstream.acquire('a');
    upstream.acquire('b'); // waits
    upstream.release('b'); // no longer wanted before it was ever opened
    upstream.release('a'); // waits (no token)
    upstream.acquire('a'); // wanted again: nothing to do
    clock.advance(10_000);
    expect(log).toEqual(['subscribe a']);
    expect(clock.pending).toBe(0);
  });

  it('however many holders flap, changes stay within burst + rate × time', () => {
    const { clock, log, upstream } = setup({ lingerMs: 0, burst: 3, perSec: 2 });
    const channels = ['a', 'b', 'c', 'd'];
    for (let step = 0; step < 1_000; step += 1) {
      const channel = channels[step % channels.length]!;
      upstream.acquire(channel);
      clock.advance(1);
      upstream.release(channel);
      clock.advance(9);
    }
    // 10 s of flapping.
    const changes = log.filter((l) => !l.startsWith('closed')).length;
    expect(changes).toBeLessThanOrEqual(3 + 2 * 10);
    expect(changes).toBeGreaterThan(0);
  });

  it('close() closes every open channel and leaves no timer', () => {
    const { clock, log, upstream } = setup({ lingerMs: 1_000, burst: 1, perSec: 1 });
    upstream.acquire('a');
    upstream.acquire('b');
    upstream.release('a');
    upstream.close();
    expect(log).toContain('closed a');
    expect(clock.pending).toBe(0);
    upstream.acquire('c');
    expect(log).not.toContain('subscribe c');
  });
});
