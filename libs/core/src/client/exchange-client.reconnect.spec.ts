import { TestExchange } from '@exchange-connection/testkit';
import { FaultProxy } from '@exchange-connection/testkit';
import { sleep, waitFor, waitForEvent, type EventSource } from '../../../../test/support/wait-for.js';
import type { ClientLogger, ExchangeClientEvents, ExchangeClientOptions } from './client-types.js';
import { ExchangeConnectionError } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { noJitter } from './jitter.js';

const quiet: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const BASE_DELAY_MS = 150;

interface Recorded {
  downs: Array<ExchangeClientEvents['down'][0] & { at: number }>;
  opens: Array<ExchangeClientEvents['open'][0] & { at: number }>;
  reconnecting: Array<ExchangeClientEvents['reconnecting'][0]>;
  closed: Array<ExchangeClientEvents['closed'][0]>;
}

function record(client: ExchangeClient): Recorded {
  const rec: Recorded = { downs: [], opens: [], reconnecting: [], closed: [] };
  client.on('down', (info) => rec.downs.push({ ...info, at: performance.now() }));
  client.on('open', (info) => rec.opens.push({ ...info, at: performance.now() }));
  client.on('reconnecting', (info) => rec.reconnecting.push(info));
  client.on('closed', (info) => rec.closed.push(info));
  return rec;
}

type Fault = {
  name: string;
  /** Close code or code the down cause must carry. */
  expect: Partial<Pick<ExchangeConnectionError, 'code' | 'closeCode'>>;
  inject(env: { exchange: TestExchange; proxy: FaultProxy }): Promise<void> | void;
};

const faults: Fault[] = [
  {
    name: 'server close 1000',
    expect: { code: 'SOCKET_CLOSED', closeCode: 1000 },
    inject: ({ exchange }) => exchange.closeAll(1000, 'bye'),
  },
  {
    name: 'server close 1001',
    expect: { code: 'SOCKET_CLOSED', closeCode: 1001 },
    inject: ({ exchange }) => exchange.closeAll(1001, 'going away'),
  },
  {
    name: 'abnormal close (terminate → 1006)',
    expect: { code: 'SOCKET_CLOSED', closeCode: 1006 },
    inject: ({ exchange }) => exchange.terminateAll(),
  },
  {
    name: 'TCP RST through the proxy',
    expect: { code: 'SOCKET_CLOSED', closeCode: 1006 },
    inject: ({ proxy }) => proxy.resetAll(),
  },
  { name: 'exchange restart on the same port', expect: { code: 'SOCKET_CLOSED' }, inject: ({ exchange }) => exchange.restart() },
];

describe('ExchangeClient reconnection over real sockets', () => {
  let exchange: TestExchange;
  let proxy: FaultProxy;
  let client: ExchangeClient | undefined;

  beforeEach(async () => {
    exchange = await TestExchange.start({ port: 0 });
    proxy = await FaultProxy.start({ target: { port: exchange.port } });
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await proxy.stop();
    await exchange.stop();
  });

  function newClient(overrides: Partial<ExchangeClientOptions> = {}): ExchangeClient {
    client = new ExchangeClient({
      url: proxy.url(),
      name: 'test',
      baseDelayMs: BASE_DELAY_MS,
      jitter: noJitter,
      heartbeat: false,
      logger: quiet,
      connectTimeoutMs: 2000,
      ...overrides,
    });
    return client;
  }

  it('connects and answers requests', async () => {
    const c = newClient();
    await c.connect();
    expect(c.state).toBe('open');
    expect(c.cycle).toBe(1);
    await expect(c.request('public/test')).resolves.toMatchObject({ version: expect.any(String) });
    expect(c.lastInboundAt).toBeGreaterThan(0);
    expect(exchange.counters.connections).toBe(1);
  });

  describe.each(faults)('$name', (fault) => {
    it('reconnectOnError true: a new socket after the backoff', async () => {
      const c = newClient();
      const rec = record(c);
      await c.connect();
      const before = exchange.counters.connections;

      await fault.inject({ exchange, proxy });
      await waitFor(() => rec.opens.length === 2, { timeoutMs: 5000, message: 'second open' });

      expect(rec.downs).toHaveLength(1);
      expect(rec.downs[0]).toMatchObject({ cycle: 1, willReconnect: true, cause: expect.objectContaining(fault.expect) });
      expect(rec.reconnecting[0]).toMatchObject({ attempt: 1, delayMs: BASE_DELAY_MS });
      expect(rec.opens[1]).toMatchObject({ cycle: 2 });
      // Timers fire at or after their delay; a little slack for clock granularity.
      expect(rec.opens[1].at - rec.downs[0].at).toBeGreaterThanOrEqual(BASE_DELAY_MS - 5);
      expect(c.cycle).toBe(2);
      expect(c.state).toBe('open');
      expect(c.stats().reconnects).toBe(1);
      await waitFor(() => exchange.counters.connections === before + 1, { message: 'exchange to see a new connection' });
      await expect(c.request('public/test')).resolves.toBeDefined();
      expect(rec.closed).toHaveLength(0);
    });

    it('reconnectOnError false: down exactly once, then terminal', async () => {
      const c = newClient({ reconnectOnError: false });
      const rec = record(c);
      await c.connect();
      const before = exchange.counters.connections;

      await fault.inject({ exchange, proxy });
      await waitFor(() => rec.closed.length === 1, { message: 'closed' });
      // A window in which no other socket may be opened (several backoffs long).
      await sleep(BASE_DELAY_MS * 3);

      expect(rec.downs).toHaveLength(1);
      expect(rec.downs[0]).toMatchObject({ willReconnect: false, cycle: 1, cause: expect.objectContaining(fault.expect) });
      expect(rec.closed[0].error).toBe(rec.downs[0].cause);
      expect(rec.reconnecting).toHaveLength(0);
      expect(rec.opens).toHaveLength(1);
      expect(c.state).toBe('closed');
      expect(exchange.counters.connections).toBe(before);
      await expect(c.request('public/test')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
      await expect(c.connect()).rejects.toBe(rec.downs[0].cause);
    });
  });

  it('kill() from an outside watchdog drops the socket and follows the policy', async () => {
    const c = newClient();
    const rec = record(c);
    await c.connect();
    c.kill(new ExchangeConnectionError('HEARTBEAT_TIMEOUT', 'sweep found it silent'));
    expect(c.state).toBe('reconnecting');
    await waitForEvent(c, 'open');
    expect(rec.downs[0]).toMatchObject({ willReconnect: true, cause: expect.objectContaining({ code: 'HEARTBEAT_TIMEOUT' }) });
    expect(c.cycle).toBe(2);
  });

  it('ignores late events of an old socket', async () => {
    const c = newClient();
    const rec = record(c);
    await c.connect();
    // The socket about to be killed (read through a private field: this test only). Its 'close'
    // comes after the client's own listener has handled it, so awaiting it is the condition.
    const old = (c as unknown as { current: { ws: EventSource } }).current.ws;
    const oldClosed = waitForEvent(old, 'close');
    c.kill(new ExchangeConnectionError('CLIENT_FAULT', 'test'));
    await waitForEvent(c, 'open');
    // The killed socket's close event may arrive after its successor exists; it must change nothing.
    await oldClosed;
    expect(rec.downs).toHaveLength(1);
    expect(c.state).toBe('open');
    expect(c.cycle).toBe(2);
  });
});
