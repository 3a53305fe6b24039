import { waitFor } from '../../../../test/support/wait-for.js';
import type { LinkConditions } from './link-faults.js';
import { LatencyPipe, type PipeSink } from './latency-pipe.js';

function recordingSink(): PipeSink & { readonly events: string[] } {
  const events: string[] = [];
  return {
    events,
    write: (chunk) => events.push(chunk.toString()),
    end: () => events.push('<end>'),
    reset: () => events.push('<reset>'),
  };
}

describe('LatencyPipe', () => {
  let pipe: LatencyPipe | undefined;
  afterEach(() => pipe?.dispose());

  it('delivers synchronously without latency', () => {
    const sink = recordingSink();
    pipe = new LatencyPipe(sink, { latencyMs: 0, blackHole: false });
    pipe.push(Buffer.from('a'));
    pipe.end();
    expect(sink.events).toEqual(['a', '<end>']);
  });

  it('delays by the latency and keeps order when the latency drops mid-stream', async () => {
    const sink = recordingSink();
    const conditions: { latencyMs: number; blackHole: boolean } = { latencyMs: 80, blackHole: false };
    pipe = new LatencyPipe(sink, conditions);
    const started = performance.now();
    pipe.push(Buffer.from('slow'));
    conditions.latencyMs = 0;
    pipe.push(Buffer.from('fast'));
    pipe.end();
    expect(sink.events).toEqual([]);
    await waitFor(() => sink.events.length === 3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(79);
    expect(sink.events).toEqual(['slow', 'fast', '<end>']);
  });

  it('discards data and holds FIN/RST while black-holed, a reset outranking an end', async () => {
    const sink = recordingSink();
    const conditions: LinkConditions & { blackHole: boolean } = { latencyMs: 0, blackHole: true };
    pipe = new LatencyPipe(sink, conditions);
    pipe.push(Buffer.from('lost'));
    pipe.reset();
    pipe.end();
    expect(sink.events).toEqual([]);
    conditions.blackHole = false;
    pipe.resume();
    expect(sink.events).toEqual(['<reset>']);
    pipe.resume();
    expect(sink.events).toEqual(['<reset>']);
  });

  it('discards queued data when a black hole starts before it is due', async () => {
    const sink = recordingSink();
    const conditions = { latencyMs: 30, blackHole: false };
    pipe = new LatencyPipe(sink, conditions);
    pipe.push(Buffer.from('in flight'));
    pipe.end();
    conditions.blackHole = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sink.events).toEqual([]);
    conditions.blackHole = false;
    pipe.resume();
    expect(sink.events).toEqual(['<end>']);
  });
});
