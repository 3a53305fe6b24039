import { Heartbeat } from './heartbeat.js';
import { ManualClock } from './testing/manual-clock.js';

// Driven by a manual clock: the bounds below are exact, whatever the machine's load. Detection
// over real sockets (timer latency included) is covered by the fault-proxy tests.
describe('Heartbeat', () => {
  it('pings every interval and does not time out while life arrives', async () => {
    const clock = new ManualClock();
    let pings = 0;
    let timedOut = false;
    const hb = new Heartbeat(
      { intervalMs: 20, timeoutMs: 100 },
      {
        clock,
        ping: () => {
          pings += 1;
          hb.touch(clock.now());
        },
        onTimeout: () => {
          timedOut = true;
        },
      },
    );
    hb.start();
    await clock.advance(250);
    hb.stop();
    expect(pings).toBe(12);
    expect(timedOut).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('fires exactly at the bound after the last life, once, even when life moved the deadline', async () => {
    const clock = new ManualClock();
    const timeoutMs = 200;
    const fired: number[] = [];
    const hb = new Heartbeat(
      { intervalMs: 150, timeoutMs },
      {
        clock,
        ping: () => undefined,
        onTimeout: (silentFor) => fired.push(silentFor),
      },
    );
    hb.start();
    await clock.advance(80);
    const lastLife = clock.now();
    hb.touch(lastLife); // the deadline moves from 200 to 280
    await clock.advance(199); // past the first deadline (200): re-armed to 280
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([timeoutMs]);
    expect(clock.now() - lastLife).toBe(timeoutMs);
    await clock.advance(5_000);
    expect(fired).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('a throwing ping does not break the watchdog', async () => {
    const clock = new ManualClock();
    let fired = false;
    const hb = new Heartbeat(
      { intervalMs: 10, timeoutMs: 60 },
      {
        clock,
        ping: () => {
          throw new Error('socket closing');
        },
        onTimeout: () => {
          fired = true;
        },
      },
    );
    hb.start();
    await clock.advance(60);
    expect(fired).toBe(true);
  });

  it('rejects a non-positive bound', () => {
    expect(() => new Heartbeat({ intervalMs: 0, timeoutMs: 1 }, { ping: () => undefined, onTimeout: () => undefined })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
