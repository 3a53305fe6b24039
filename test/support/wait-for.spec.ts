import { EventEmitter } from 'node:events';
import { resourceSnapshot, settleNoResourceGrowth } from './open-handles.js';
import { waitFor, waitForEvent, WaitTimeoutError } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('done after 3');
  });

  it('accepts async predicates and retries predicates that throw', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('times out with a message naming what was awaited and the last error', async () => {
    const started = performance.now();
    const waiting = waitFor(
      () => {
        throw new Error('still 0 links');
      },
      { timeoutMs: 100, message: 'proxy links' },
    );
    await expect(waiting).rejects.toThrow(WaitTimeoutError);
    await expect(waiting).rejects.toThrow(/100 ms waiting for proxy links; last error: still 0 links/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('never hangs on a predicate whose promise never settles', async () => {
    const before = resourceSnapshot();
    await expect(waitFor(() => new Promise<boolean>(() => undefined), { timeoutMs: 80 })).rejects.toThrow(WaitTimeoutError);
    await settleNoResourceGrowth(before);
  });
});

describe('waitForEvent', () => {
  it('resolves with the event arguments and removes its listeners', async () => {
    const emitter = new EventEmitter();
    const waiting = waitForEvent<[number, string]>(emitter, 'close', { rejectOn: ['error'] });
    emitter.emit('close', 1006, 'abnormal');
    await expect(waiting).resolves.toEqual([1006, 'abnormal']);
    expect(emitter.listenerCount('close')).toBe(0);
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it('times out with a clear error and leaves no timer or listener', async () => {
    const before = resourceSnapshot();
    const emitter = new EventEmitter();
    await expect(waitForEvent(emitter, 'open', { timeoutMs: 50 })).rejects.toThrow(
      /Timed out after 50 ms waiting for 'open' event/,
    );
    expect(emitter.listenerCount('open')).toBe(0);
    await settleNoResourceGrowth(before);
  });

  it('rejects when a rejectOn event comes first', async () => {
    const emitter = new EventEmitter();
    const waiting = waitForEvent(emitter, 'open', { rejectOn: ['error'] });
    emitter.emit('error', new Error('ECONNREFUSED'));
    await expect(waiting).rejects.toThrow(/'error' emitted while waiting for 'open': ECONNREFUSED/);
    expect(emitter.listenerCount('open')).toBe(0);
  });
});
