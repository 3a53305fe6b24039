import { config } from 'rxjs';
import { waitFor } from '../../../../test/support/wait-for.js';
import { SubscriptionRegistry } from './subscription-registry.js';

describe('SubscriptionRegistry', () => {
  it('is lazy and ref-counted: first observer adds, last teardown removes', () => {
    let changes = 0;
    const registry = new SubscriptionRegistry(() => changes++);
    const stream = registry.observe<number>('ticker.X.100ms');
    expect(registry.desired()).toEqual([]);
    const a = stream.subscribe();
    const b = stream.subscribe();
    expect(registry.desired()).toEqual(['ticker.X.100ms']);
    expect(changes).toBe(1);
    a.unsubscribe();
    expect(registry.has('ticker.X.100ms')).toBe(true);
    b.unsubscribe();
    expect(registry.has('ticker.X.100ms')).toBe(false);
    expect(changes).toBe(2);
  });

  it('delivers to every observer of the channel only', () => {
    const registry = new SubscriptionRegistry(() => undefined);
    const got: string[] = [];
    const s1 = registry.observe<string>('a').subscribe((v) => got.push(`1:${v}`));
    const s2 = registry.observe<string>('a').subscribe((v) => got.push(`2:${v}`));
    const s3 = registry.observe<string>('b').subscribe((v) => got.push(`3:${v}`));
    expect(registry.deliver('a', 'x')).toBe(true);
    expect(registry.deliver('nobody', 'y')).toBe(false);
    expect(got).toEqual(['1:x', '2:x']);
    [s1, s2, s3].forEach((s) => s.unsubscribe());
  });

  it('delivers a channel left and observed again only to its new observers (the last-channel cache is dropped)', () => {
    const registry = new SubscriptionRegistry(() => undefined);
    const got: string[] = [];
    // Names built at run time, as a parsed frame's are: equal strings, distinct objects.
    const name = (): string => ['btcusdt', 'trade'].join('@');
    const first = registry.observe<string>('btcusdt@trade').subscribe((v) => got.push(`first:${v}`));
    expect(registry.deliver(name(), 'a')).toBe(true);
    expect(registry.deliver(name(), 'b')).toBe(true);
    first.unsubscribe();
    expect(registry.deliver(name(), 'lost')).toBe(false);
    const second = registry
      .observe<string>('btcusdt@trade')
      .subscribe({ next: (v) => got.push(`second:${v}`), error: () => got.push('second failed') });
    expect(registry.deliver(name(), 'c')).toBe(true);
    registry.fail('btcusdt@trade', new Error('refused'));
    expect(registry.deliver(name(), 'after fail')).toBe(false);
    const third = registry.observe<string>('btcusdt@trade').subscribe((v) => got.push(`third:${v}`));
    expect(registry.deliver(name(), 'd')).toBe(true);
    registry.completeAll();
    expect(registry.deliver(name(), 'after complete')).toBe(false);
    expect(got).toEqual(['first:a', 'first:b', 'second:c', 'second failed', 'third:d']);
    [second, third].forEach((s) => s.unsubscribe());
  });

  it('completes every stream on completeAll', () => {
    const registry = new SubscriptionRegistry(() => undefined);
    let completed = false;
    registry.observe('a').subscribe({ complete: () => (completed = true) });
    registry.completeAll();
    expect(completed).toBe(true);
    expect(registry.size).toBe(0);
  });
});

describe('SubscriptionRegistry delivery (a direct subscriber list)', () => {
  it('keeps delivering to the others when a consumer throws, and reports the throw to RxJS', async () => {
    const reported: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (error) => reported.push(error);
    try {
      const registry = new SubscriptionRegistry(() => undefined);
      const got: string[] = [];
      const s1 = registry.observe<string>('a').subscribe(() => {
        throw new Error('consumer bug');
      });
      const s2 = registry.observe<string>('a').subscribe((v) => got.push(v));
      registry.deliver('a', 'x');
      registry.deliver('a', 'y');
      expect(got).toEqual(['x', 'y']);
      // RxJS reports on a timer of its own, after the delivery returned.
      await waitFor(() => reported.length === 2, { message: 'both throws reported' });
      [s1, s2].forEach((s) => s.unsubscribe());
    } finally {
      config.onUnhandledError = previous;
    }
  });

  it('lets a consumer unsubscribe itself, or subscribe another, from inside next', () => {
    const registry = new SubscriptionRegistry(() => undefined);
    const got: string[] = [];
    const stream = registry.observe<string>('a');
    const self = stream.subscribe((v) => {
      got.push(`self:${v}`);
      self.unsubscribe();
      stream.subscribe((w) => got.push(`late:${w}`));
    });
    stream.subscribe((v) => got.push(`other:${v}`));
    registry.deliver('a', 'x');
    registry.deliver('a', 'y');
    expect(got).toEqual(['self:x', 'other:x', 'other:y', 'late:y']);
  });

  it('errors every stream of a failed channel and forgets it; late messages go nowhere', () => {
    let changes = 0;
    const registry = new SubscriptionRegistry(() => changes++);
    const errors: string[] = [];
    registry.observe('a').subscribe({ error: (e: Error) => errors.push(e.message) });
    registry.observe('a').subscribe({ error: (e: Error) => errors.push(e.message) });
    registry.fail('a', new Error('refused'));
    expect(errors).toEqual(['refused', 'refused']);
    expect(registry.has('a')).toBe(false);
    expect(registry.deliver('a', 'x')).toBe(false);
  });
});

describe('SubscriptionRegistry: a late observer of a sequenced channel', () => {
  it('gets nothing until the next snapshot, then everything; the first observer is not held back', () => {
    const late: string[] = [];
    const registry = new SubscriptionRegistry(() => undefined, {
      isSequenced: (channel) => channel.startsWith('book.'),
      onLateJoin: (channel) => late.push(channel),
    });
    const first: string[] = [];
    const second: string[] = [];
    registry.observe<string>('book.A').subscribe((v) => first.push(v));
    registry.deliver('book.A', 'snapshot 1', true);
    registry.deliver('book.A', 'delta 2');
    registry.observe<string>('book.A').subscribe((v) => second.push(v));
    expect(late).toEqual(['book.A']);
    registry.deliver('book.A', 'delta 3');
    registry.deliver('book.A', 'snapshot 3', true);
    registry.deliver('book.A', 'delta 4');
    expect(first).toEqual(['snapshot 1', 'delta 2', 'delta 3', 'snapshot 3', 'delta 4']);
    expect(second).toEqual(['snapshot 3', 'delta 4']);
  });

  it('does not hold back a late observer of an unsequenced channel, and completes waiting ones on close', () => {
    const registry = new SubscriptionRegistry(() => undefined, { isSequenced: (channel) => channel.startsWith('book.') });
    const got: string[] = [];
    let completed = 0;
    registry.observe<string>('ticker.A').subscribe();
    registry.observe<string>('ticker.A').subscribe((v) => got.push(v));
    registry.deliver('ticker.A', 'x');
    expect(got).toEqual(['x']);
    registry.observe('book.A').subscribe();
    registry.observe('book.A').subscribe({ complete: () => completed++ });
    registry.completeAll();
    expect(completed).toBe(1);
  });

  it('keeps the channel while only a waiting observer is left', () => {
    const registry = new SubscriptionRegistry(() => undefined, { isSequenced: () => true });
    const first = registry.observe('book.A').subscribe();
    const second = registry.observe('book.A').subscribe();
    first.unsubscribe();
    expect(registry.has('book.A')).toBe(true);
    second.unsubscribe();
    expect(registry.has('book.A')).toBe(false);
  });
});
