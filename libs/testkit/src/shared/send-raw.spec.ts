import { WebSocket } from 'ws';
import { BinanceTestExchange } from '../binance/binance-test-exchange.js';
import { BybitTestExchange } from '../bybit/bybit-test-exchange.js';
import { TestExchange } from '../deribit/test-exchange.js';
import { startControlApi, type ControllableExchange } from '../cli/control-api.js';

interface Frame {
  bytes: Buffer;
  binary: boolean;
}

/** A plain ws socket that keeps every frame's exact bytes (UTF-8 unchecked, so invalid text arrives as sent). */
async function rawClient(url: string): Promise<{ frames: Frame[]; socket: WebSocket }> {
  const socket = new WebSocket(url, { skipUTF8Validation: true });
  const frames: Frame[] = [];
  socket.on('message', (data, binary) => frames.push({ bytes: Buffer.from(data as Buffer), binary }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { frames, socket };
}

const venues: Array<[string, () => Promise<{ exchange: ControllableExchange; url: string }>]> = [
  [
    'deribit',
    async () => {
      const exchange = await TestExchange.start({ feedIntervalMs: 0 });
      return { exchange, url: exchange.url };
    },
  ],
  [
    'bybit',
    async () => {
      const exchange = await BybitTestExchange.start({ feedIntervalMs: 0, level1ResnapshotMs: 0 });
      return { exchange, url: exchange.url('linear') };
    },
  ],
  [
    'binance',
    async () => {
      const exchange = await BinanceTestExchange.start({ feedIntervalMs: 0 });
      return { exchange, url: exchange.urls.spotCombined };
    },
  ],
];

describe.each(venues)('%s test exchange: sendRaw', (_venue, start) => {
  let exchange: ControllableExchange;
  let url: string;
  const sockets: WebSocket[] = [];
  const connect = async (): Promise<Frame[]> => {
    const client = await rawClient(url);
    sockets.push(client.socket);
    return client.frames;
  };

  beforeEach(async () => {
    ({ exchange, url } = await start());
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await exchange.stop();
  });

  it('writes exactly the bytes given, as text or binary, to every connection', async () => {
    const [a, b] = [await connect(), await connect()];
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]);
    expect(exchange.sendRaw('{"topic":')).toBe(2);
    expect(exchange.sendRaw(invalidUtf8)).toBe(2);
    expect(exchange.sendRaw(Buffer.from([0, 1, 2]), { binary: true })).toBe(2);
    expect(exchange.sendRaw('')).toBe(2);
    await exchange.waitFor(() => a.length === 4 && b.length === 4);
    for (const frames of [a, b]) {
      expect(frames.map((f) => f.binary)).toEqual([false, false, true, false]);
      expect(frames[0]?.bytes.toString('utf8')).toBe('{"topic":');
      expect(frames[1]?.bytes.equals(invalidUtf8)).toBe(true);
      expect(frames[2]?.bytes.equals(Buffer.from([0, 1, 2]))).toBe(true);
      expect(frames[3]?.bytes.length).toBe(0);
    }
  });

  it('to one connection by id; a gone id or a black hole writes nothing; bad arguments throw before sending', async () => {
    const first = await connect();
    const second = await connect();
    const [, secondId] = exchange.connections().map((c) => c.id);
    expect(exchange.sendRaw('only-you', { connectionId: secondId })).toBe(1);
    await exchange.waitFor(() => second.length === 1);
    expect(second[0]?.bytes.toString()).toBe('only-you');
    expect(exchange.sendRaw('nobody', { connectionId: 999 })).toBe(0);
    expect(() => exchange.sendRaw('x', { connectionId: 0 })).toThrow(RangeError);
    expect(() => exchange.sendRaw(42 as unknown as string)).toThrow(TypeError);
    exchange.setBlackHole(true);
    expect(exchange.sendRaw('swallowed')).toBe(0);
    exchange.setBlackHole(false);
    expect(exchange.sendRaw('last')).toBe(2);
    await exchange.waitFor(() => first.length === 1 && second.length === 2);
    expect(first.map((f) => f.bytes.toString())).toEqual(['last']);
  });

  it('is a control API route: POST /faults/raw with the frame as the body', async () => {
    const frames = await connect();
    const control = await startControlApi(exchange, 0);
    try {
      const post = async (query: string, body: Buffer | string): Promise<{ status: number; body: unknown }> => {
        const response = await fetch(`http://127.0.0.1:${control.port}/faults/raw${query}`, { method: 'POST', body });
        return { status: response.status, body: await response.json() };
      };
      expect(await post('', '{"stream":1}')).toEqual({ status: 200, body: { sent: 1 } });
      expect(await post('?binary=1', Buffer.from([0xde, 0xad]))).toEqual({ status: 200, body: { sent: 1 } });
      expect(await post('?connection=999', 'x')).toEqual({ status: 200, body: { sent: 0 } });
      expect((await post('?binary=maybe', 'x')).status).toBe(400);
      // A mistaken upload is refused whole, not buffered without bound: nothing is sent.
      expect((await post('', Buffer.alloc(32 * 1024 * 1024 + 1, 0x20))).status).toBe(413);
      await exchange.waitFor(() => frames.length === 2);
      expect(frames.map((f) => [f.binary, f.bytes.toString('hex')])).toEqual([
        [false, Buffer.from('{"stream":1}').toString('hex')],
        [true, 'dead'],
      ]);
      const routes = (await (await fetch(`http://127.0.0.1:${control.port}/`)).json()) as { post: string[] };
      expect(routes.post).toContain('/faults/raw');
    } finally {
      await control.close();
    }
  });
});
