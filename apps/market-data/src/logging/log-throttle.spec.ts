import { LogThrottle, suppressedNote } from './log-throttle.js';

describe('LogThrottle', () => {
  it('lets one line per cause per interval through and counts what it held back', () => {
    let now = 0;
    const throttle = new LogThrottle(1_000, () => now);
    expect(throttle.admit('a')).toEqual({ suppressed: 0 });
    expect(throttle.admit('b')).toEqual({ suppressed: 0 });
    for (let i = 0; i < 50; i += 1) expect(throttle.admit('a')).toBeUndefined();
    now = 999;
    expect(throttle.admit('a')).toBeUndefined();
    now = 1_000;
    const admitted = throttle.admit('a');
    expect(admitted).toEqual({ suppressed: 51 });
    expect(suppressedNote(admitted!)).toBe(' (51 more since the last such line)');
    expect(suppressedNote({ suppressed: 0 })).toBe('');
  });

  it('holds a bounded number of causes: new ones beyond it share one slot', () => {
    const throttle = new LogThrottle(60_000, () => 0);
    let admitted = 0;
    for (let i = 0; i < 10_000; i += 1) if (throttle.admit(`cause ${i}`) !== undefined) admitted += 1;
    expect(admitted).toBe(257);
  });
});
