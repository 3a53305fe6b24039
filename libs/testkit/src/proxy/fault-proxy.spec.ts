import { connect, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import {
  startTcpEchoServer,
  startWsEchoServer,
  unusedPort,
  type TcpEchoServer,
  type WsEchoServer,
} from '../../../../test/support/echo-servers.js';
import { resourceSnapshot, settleNoResourceGrowth, type ResourceCounts } from '../../../../test/support/open-handles.js';
import { startTlsWsServer } from '../../../../test/support/tls-fixture.js';
import { sleep, waitFor, waitForEvent } from '../../../../test/support/wait-for.js';
import { FaultProxy } from './fault-proxy.js';

/** A raw TCP client that records everything it observes. */
class TcpProbe {
  readonly socket: Socket;
  received = '';
  readonly events: string[] = [];
  error: NodeJS.ErrnoException | undefined;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString()));
    this.socket.on('end', () => {
      this.events.push('end');
      // Like most clients: answer a FIN with a FIN so the socket closes.
      this.socket.end();
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
      this.events.push(`error:${error.code}`);
    });
    this.socket.on('close', (hadError) => this.events.push(hadError ? 'close:error' : 'close'));
  }

  async roundTrip(text: string): Promise<number> {
    const started = performance.now();
    const expected = this.received + text;
    this.socket.write(text);
    await waitFor(() => this.received.startsWith(expected), { message: `echo of '${text}'` });
    return performance.now() - started;
  }
}

/** ws passes TLS options through to tls.connect; its types just do not list ALPN. */
type WsClientOptions = WebSocket.ClientOptions & Pick<ConnectionOptions, 'ALPNProtocols'>;

/** A ws client that records everything it observes. */
function wsProbe(url: string, options: WsClientOptions = {}): { ws: WebSocket; events: string[] } {
  const ws = new WebSocket(url, options);
  const events: string[] = [];
  ws.on('message', (data: Buffer) => events.push(`message:${data.toString()}`));
  ws.on('pong', () => events.push('pong'));
  ws.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code ?? error.message}`));
  ws.on('close', (code: number) => events.push(`close:${code}`));
  return { ws, events };
}

describe('FaultProxy over raw TCP', () => {
  let before: ResourceCounts;
  let echo: TcpEchoServer;
  let proxy: FaultProxy;
  const probes: TcpProbe[] = [];
  const probe = (): TcpProbe => {
    const created = new TcpProbe(proxy.port);
    probes.push(created);
    return created;
  };

  beforeEach(async () => {
    before = resourceSnapshot();
    echo = await startTcpEchoServer();
    proxy = await FaultProxy.start({ target: { port: echo.port } });
  });

  afterEach(async () => {
    for (const created of probes.splice(0)) created.socket.destroy();
    await proxy.stop();
    await echo.close();
    await settleNoResourceGrowth(before);
  });

  it('forwards bytes both ways and counts links', async () => {
    const client = probe();
    await client.roundTrip('hello');
    expect(proxy.totalLinks).toBe(1);
    expect(proxy.activeLinks).toBe(1);
    expect(proxy.url()).toBe(`ws://127.0.0.1:${proxy.port}/ws/api/v2`);
    expect(proxy.url('/x', 'wss')).toBe(`wss://127.0.0.1:${proxy.port}/x`);

    client.socket.end();
    await waitFor(() => client.events.includes('close'), { message: 'FIN to travel both ways' });
    expect(client.events).toEqual(['end', 'close']);
    await waitFor(() => proxy.activeLinks === 0, { message: 'link to close' });
    expect(proxy.totalLinks).toBe(1);
  });

  it('passes a FIN from the server on to the client', async () => {
    const client = probe();
    await client.roundTrip('x');
    for (const socket of echo.sockets) socket.end();
    await waitFor(() => client.events.includes('end'));
    expect(client.error).toBeUndefined();
  });

  it('adds the configured latency in each direction and keeps order when it changes', async () => {
    const client = probe();
    const baseline = await client.roundTrip('warm-up');
    proxy.setLatency(150);
    const delayed = await client.roundTrip('slow');
    expect(delayed).toBeGreaterThanOrEqual(2 * 150 - 5);
    expect(delayed).toBeLessThan(2 * 150 + 2000 + baseline);

    const expected = client.received + Array.from({ length: 20 }, (_, i) => `m${i};`).join('');
    for (let i = 0; i < 20; i += 1) {
      if (i === 10) proxy.setLatency(0);
      client.socket.write(`m${i};`);
    }
    await waitFor(() => client.received.length >= expected.length);
    expect(client.received).toBe(expected);
    expect(() => proxy.setLatency(-1)).toThrow(RangeError);
  });

  it('resetAll gives the client ECONNRESET and closes the server side', async () => {
    const client = probe();
    await client.roundTrip('x');
    expect(echo.sockets.size).toBe(1);
    proxy.resetAll();
    await waitFor(() => client.events.includes('close:error'));
    expect(client.error?.code).toBe('ECONNRESET');
    await waitFor(() => echo.sockets.size === 0 && proxy.activeLinks === 0);
  });

  it('closeAll gives the client a clean FIN', async () => {
    const client = probe();
    await client.roundTrip('x');
    proxy.closeAll();
    await waitFor(() => client.events.includes('close'));
    expect(client.events).toEqual(['end', 'close']);
    await waitFor(() => echo.sockets.size === 0 && proxy.activeLinks === 0);
  });

  it('resets the client when the upstream refuses the connection', async () => {
    proxy.setTarget({ host: '127.0.0.1', port: await unusedPort() });
    const client = probe();
    await waitFor(() => client.events.includes('close:error'));
    expect(client.error?.code).toBe('ECONNRESET');
    await waitFor(() => proxy.activeLinks === 0);
  });

  it('setTarget sends new links to the new upstream and leaves old links alone', async () => {
    const other = await startTcpEchoServer({ prefix: 'B:' });
    try {
      const first = probe();
      await first.roundTrip('1');
      proxy.setTarget({ port: other.port });
      expect(proxy.target).toEqual({ port: other.port });
      const second = probe();
      second.socket.write('2');
      await waitFor(() => second.received === 'B:2');
      await first.roundTrip('3');
      expect(first.received).toBe('13');
    } finally {
      for (const created of probes) created.socket.destroy();
      await other.close();
    }
  });

  it('refuseNew resets new connections and leaves existing links alone', async () => {
    const existing = probe();
    await existing.roundTrip('a');
    proxy.setRefuseNew(true);
    const refused = probe();
    await waitFor(() => refused.events.includes('close:error'));
    expect(refused.error?.code).toBe('ECONNRESET');
    expect(proxy.refusedConnections).toBe(1);
    expect(proxy.totalLinks).toBe(1);
    await existing.roundTrip('b');
    proxy.setRefuseNew(false);
    await probe().roundTrip('c');
    expect(proxy.totalLinks).toBe(2);
  });

  it('stop() closes listener and links, is idempotent and leaves no handle', async () => {
    const client = probe();
    await client.roundTrip('x');
    await Promise.all([proxy.stop(), proxy.stop()]);
    await proxy.stop();
    await waitFor(() => client.events.includes('close:error'));
    expect(proxy.activeLinks).toBe(0);
    const late = new TcpProbe(proxy.port);
    probes.push(late);
    await waitFor(() => late.error !== undefined);
    expect(late.error?.code).toBe('ECONNREFUSED');
    client.socket.destroy();
    late.socket.destroy();
    await echo.close();
    await settleNoResourceGrowth(before);
  });
});

describe('FaultProxy with a ws client and server', () => {
  let before: ResourceCounts;
  let server: WsEchoServer;
  let proxy: FaultProxy;
  const clients: WebSocket[] = [];
  const open = async (options?: WsClientOptions, url = proxy.url()): Promise<ReturnType<typeof wsProbe>> => {
    const created = wsProbe(url, options);
    clients.push(created.ws);
    await waitForEvent(created.ws, 'open', { rejectOn: ['error'] });
    return created;
  };

  beforeEach(async () => {
    before = resourceSnapshot();
    server = await startWsEchoServer();
    proxy = await FaultProxy.start({ target: { port: server.port } });
  });

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await proxy.stop();
    await server.close();
    await settleNoResourceGrowth(before);
  });

  it('black hole: silence both ways with no close or error on either side, then traffic resumes', async () => {
    const accepted = server.nextConnection();
    const { ws, events } = await open();
    const serverSide = await accepted;
    const serverEvents: string[] = [];
    serverSide.on('message', (data: Buffer) => serverEvents.push(`message:${data.toString()}`));
    serverSide.on('close', (code: number) => serverEvents.push(`close:${code}`));
    serverSide.on('error', (error: Error) => serverEvents.push(`error:${error.message}`));
    ws.send('before');
    await waitFor(() => events.includes('message:before'));

    proxy.setBlackHole(true);
    ws.send('lost from client');
    ws.ping();
    serverSide.send('lost from server');
    await sleep(1500);
    expect(events).toEqual(['message:before']);
    expect(serverEvents).toEqual(['message:before']);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(serverSide.readyState).toBe(WebSocket.OPEN);
    expect(proxy.activeLinks).toBe(1);

    proxy.setBlackHole(false);
    ws.send('after');
    await waitFor(() => events.includes('message:after'), { message: 'traffic to resume' });
    expect(events).toEqual(['message:before', 'message:after']);
    expect(serverEvents).toEqual(['message:before', 'message:after']);
  });

  it('black hole holds a server-side close back until it is lifted', async () => {
    const accepted = server.nextConnection();
    const { ws, events } = await open();
    const serverSide = await accepted;
    proxy.setBlackHole(true);
    const serverClosed = waitForEvent(serverSide, 'close');
    serverSide.terminate();
    await serverClosed;
    await sleep(300);
    expect(events).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);

    proxy.setBlackHole(false);
    await waitFor(() => events.includes('close:1006'), { message: 'held close to arrive' });
  });

  it('resetAll: the client sees an abnormal close (1006)', async () => {
    const accepted = server.nextConnection();
    const { events } = await open();
    const serverSide = await accepted;
    const serverClosed = waitForEvent<[number]>(serverSide, 'close');
    proxy.resetAll();
    await waitFor(() => events.includes('close:1006'));
    expect((await serverClosed)[0]).toBe(1006);
  });

  it('closeAll: the client sees the connection close', async () => {
    const { events } = await open();
    proxy.closeAll();
    await waitFor(() => events.some((event) => event.startsWith('close:')));
    expect(events).toEqual(['close:1006']);
  });

  it('refuseNew: a new ws connection fails, the open one keeps working', async () => {
    const existing = await open();
    proxy.setRefuseNew(true);
    const refused = wsProbe(proxy.url());
    clients.push(refused.ws);
    await waitFor(() => refused.events.includes('close:1006'));
    expect(refused.events[0]).toMatch(/^error:ECONNRESET$/);
    existing.ws.send('still here');
    await waitFor(() => existing.events.includes('message:still here'));
  });

  it('latency applies to ws traffic in both directions', async () => {
    const { ws, events } = await open();
    proxy.setLatency(100);
    const started = performance.now();
    ws.send('delayed');
    await waitFor(() => events.includes('message:delayed'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('carries TLS end to end (wss through the proxy)', async () => {
    const tls = await startTlsWsServer();
    try {
      proxy.setTarget({ port: tls.port });
      const { ws, events } = await open({ ca: tls.ca, ALPNProtocols: ['http/1.1'] }, proxy.url('/ws/api/v2', 'wss'));
      ws.send('secure');
      await waitFor(() => events.includes('message:secure'));
      expect(tls.offeredAlpn).toEqual([['http/1.1']]);
    } finally {
      for (const ws of clients.splice(0)) ws.terminate();
      await proxy.stop();
      await tls.close();
    }
  });
});
