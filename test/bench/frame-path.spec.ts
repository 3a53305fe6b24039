import { measureFramePath } from '../../bench/frame-path.js';

// The benchmark's own smoke test: it must keep reaching each path's socket (it reads private
// fields to do so) and every emitted frame must reach the path's consumer, or the numbers lie.
describe('bench: frame path', () => {
  it('delivers every emitted frame on all three paths and reports per-frame costs', async () => {
    // A smoke test, not a measurement: a short warm-up keeps it quick on a busy machine.
    const result = await measureFramePath({ frames: 2_000, rounds: 2, warmUpFrames: 2_000 });
    expect(result.paths.map((p) => p.path)).toEqual(['raw-ws', 'exchange-client', 'supervised']);
    for (const path of result.paths) {
      expect(path.rounds).toHaveLength(2);
      expect(path.cpuNsPerFrame).toBeGreaterThan(0);
      expect(path.wallNsPerFrame).toBeGreaterThan(0);
    }
    expect(Number.isFinite(result.addedNs.client)).toBe(true);
    expect(Number.isFinite(result.addedNs.supervised)).toBe(true);
    // Bounded work, no wait that could hang: but each feed runs two full GCs, which in a Jest worker
    // whose heap holds a whole suite's modules, beside a busy neighbour, can take seconds each.
  }, 120_000);
});
