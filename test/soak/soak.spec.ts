import { runSoak } from '../../bench/soak/soak-cycles.js';

// The short version of `npm run soak` (10,000 cycles, heap within 5 %): a few hundred drop/rebuild
// cycles with 50 subscriptions must leave handles, timers and listener counts exactly where they were.
describe('soak: repeated drop/rebuild of one supervised connection with 50 subscriptions', () => {
  it('keeps handles, listeners and observers flat and the heap bounded over 400 cycles', async () => {
    const result = await runSoak({ cycles: 400, subscriptions: 50, sampleEvery: 10 });

    expect(result.reconnects).toBe(400);
    expect(result.resourceChanges).toEqual({});
    expect(result.listenersFlat).toBe(true);
    expect(result.last.clientListeners).toBe(result.first.clientListeners);
    expect(result.last.socketListeners).toBe(result.first.socketListeners);
    // Every sampled cycle delivered a fresh message, so the stream survived every rebuild.
    expect(result.samples.every((s, i) => i === 0 || s.messagesReceived > (result.samples[i - 1]?.messagesReceived ?? 0))).toBe(
      true,
    );
    // Generous: the in-process test exchange keeps every token it issues (~1.4 KB per cycle) and
    // Jest's own heap moves; a real per-cycle leak of a client (tens of KB) would still blow this.
    expect(result.heapGrowth).toBeLessThan(0.25);
    // ~25 s on an idle CI machine; the bound only stops a hang (speed is the bench's to measure).
  }, 180_000);
});
