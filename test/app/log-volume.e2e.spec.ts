import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { waitFor } from '../support/wait-for.js';
import { useMarketDataApp } from './market-data-testbed.js';

interface LogRecord {
  level: string;
  context?: string;
  message: unknown;
  stack?: unknown;
  [field: string]: unknown;
}

/** Runs `work` with process.stdout/stderr writes recorded (and still passed through). */
async function captureProcessOutput(work: () => Promise<void>): Promise<string[]> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(String(chunk));
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    await work();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]!));
  }
  return chunks;
}

/**
 * What anonymous peers can make the app write: each request or frame below may be sent by anyone,
 * as often as they like. The log grows by one line per cause per interval, not per request.
 */
describe('log volume from unauthenticated requests', () => {
  const lines: string[] = [];
  const testbed = useMarketDataApp({
    exchange: { seed: 31, feedIntervalMs: 100 },
    app: (embedded) => {
      const connections = embeddedConnectionOptions(embedded.exchange.url, embedded.credentials);
      // A circuit that stays open once opened: /health answers 503 for the whole test.
      connections.connections[0]!.circuitBreaker = { failureThreshold: 10, cooldownMs: 120_000 };
      return { connections, logger: ['fatal', 'error', 'warn', 'log'], logFormat: 'json', logWrite: (line) => lines.push(line) };
    },
  });
  const records = (from: number): LogRecord[] => lines.slice(from).map((l) => JSON.parse(l) as LogRecord);

  it('40 browser frames over the 64 KiB hard limit: each socket closed (1009), one log line, no stack trace', async () => {
    const from = lines.length;
    const clients = await Promise.all(Array.from({ length: 40 }, () => testbed.streamClient()));
    const huge = JSON.stringify({ type: 'ping', id: 'x'.repeat(70 * 1024) });
    for (const c of clients) c.send(huge);
    await waitFor(() => clients.every((c) => c.closeCode === 1009), { message: 'every oversize sender closed with 1009' });
    // Served meanwhile, and the next client is welcome.
    const next = await testbed.streamClient();
    next.send({ type: 'ping', id: 1 });
    await next.waitFrames((f) => f.type === 'pong');
    const about = records(from).filter((r) => /payload|WS_ERR|1009/i.test(JSON.stringify(r)));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^stream: client socket error WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/),
    });
    expect(records(from).filter((r) => r.stack !== undefined || /\n\s+at /.test(String(r.message)))).toEqual([]);
  });

  it('30 failed GET /health: 30 answers of 503, one single-line log entry', async () => {
    testbed.exchange.setRejectAuth(true);
    testbed.exchange.terminateAll();
    await waitFor(() => testbed.connection.state === 'circuit-open', { timeoutMs: 10_000, message: 'circuit open' });
    const from = lines.length;
    // Anything written past the app's logger (Terminus's own ConsoleLogger writes to the process
    // streams) counts too.
    const direct = await captureProcessOutput(async () => {
      for (let i = 0; i < 30; i += 1) {
        const response = await fetch(`${testbed.httpUrl}${i % 2 === 0 ? '/health' : '/health/ready'}`);
        expect(response.status).toBe(503);
      }
    });
    expect(direct.filter((chunk) => chunk.includes('Health Check'))).toEqual([]);
    const health = records(from).filter((r) => String(r.message).includes('Health Check has failed'));
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^Health Check has failed! \{/) });
    expect(String(health[0]?.message)).not.toContain('\n');
    expect(records(from).filter((r) => r.stack !== undefined)).toEqual([]);
  });
});
