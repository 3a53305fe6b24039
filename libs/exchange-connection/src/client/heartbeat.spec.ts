import { Heartbeat } from './heartbeat.js';

describe('Heartbeat', () => {
  it('pings every interval and does not time out while life arrives', async () => {
    let pings = 0;
    let timedOut = false;
    const hb = new Heartbeat({ intervalMs: 20, timeoutMs: 100 }, {
      ping: () => {
        pings += 1;
        hb.touch(Date.now());
      },
      onTimeout: () => {
        timedOut = true;
      },
    });
    hb.start();
    await new Promise((resolve) => setTimeout(resolve, 250));
    hb.stop();
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(timedOut).toBe(false);
  });

  it('fires within 1.1× the bound of the last life, once', async () => {
    const timeoutMs = 200;
    let fired = 0;
    const startedAt = Date.now();
    let lastLife = startedAt;
    const done = new Promise<number>((resolve) => {
      const hb = new Heartbeat({ intervalMs: 1000, timeoutMs }, {
        ping: () => undefined,
        onTimeout: () => {
          fired += 1;
          resolve(Date.now());
        },
      });
      hb.start();
      // Life after 80 ms moves the deadline to 280 ms.
      setTimeout(() => {
        lastLife = Date.now();
        hb.touch(lastLife);
      }, 80);
    });
    const at = await done;
    expect(at - lastLife).toBeGreaterThanOrEqual(timeoutMs - 2);
    expect(at - lastLife).toBeLessThanOrEqual(timeoutMs * 1.1);
    expect(fired).toBe(1);
  });

  it('a throwing ping does not break the watchdog', async () => {
    const fired = await new Promise<boolean>((resolve) => {
      const hb = new Heartbeat({ intervalMs: 10, timeoutMs: 60 }, {
        ping: () => {
          throw new Error('socket closing');
        },
        onTimeout: () => resolve(true),
      });
      hb.start();
    });
    expect(fired).toBe(true);
  });

  it('rejects a non-positive bound', () => {
    expect(() => new Heartbeat({ intervalMs: 0, timeoutMs: 1 }, { ping: () => undefined, onTimeout: () => undefined })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
