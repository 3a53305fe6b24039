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

  it('completes every stream on completeAll', () => {
    const registry = new SubscriptionRegistry(() => undefined);
    let completed = false;
    registry.observe('a').subscribe({ complete: () => (completed = true) });
    registry.completeAll();
    expect(completed).toBe(true);
    expect(registry.size).toBe(0);
  });
});
