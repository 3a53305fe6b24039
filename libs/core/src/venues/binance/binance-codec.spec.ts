import { signBinanceHmac } from '@exchange-connection/testkit';
import { signBinanceParams } from './binance-auth.js';
import { BinanceBookSync, binanceBookSequence, type BinanceDepthUpdate } from './binance-book.js';
import { BinanceCodec } from './binance-codec.js';
import { classifyBinanceError, mapBinanceError } from './binance-errors.js';
import { retryAfterMsOf } from './binance-rest.js';
import { binanceStreamProblem } from './binance-streams.js';

describe('BinanceCodec', () => {
  const codec = new BinanceCodec();

  it('writes market-stream methods with a list and WebSocket API methods with an object', () => {
    expect(JSON.parse(codec.encode(1, 'SUBSCRIBE', { args: ['btcusdt@trade'] }))).toEqual({
      method: 'SUBSCRIBE',
      params: ['btcusdt@trade'],
      id: 1,
    });
    expect(JSON.parse(codec.encode(2, 'userDataStream.subscribe.signature', { apiKey: 'k' }))).toEqual({
      method: 'userDataStream.subscribe.signature',
      params: { apiKey: 'k' },
      id: 2,
    });
    expect(JSON.parse(codec.encode(3, 'LIST_SUBSCRIPTIONS', undefined))).toEqual({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    expect(() => codec.encode(4, 'x', { id: 9 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('matches answers by id; data, events and an id-less error are messages', () => {
    expect(codec.decode({ result: null, id: 7 })).toEqual({ kind: 'response', id: 7, result: null });
    expect(codec.decode({ id: 8, status: 200, result: { subscriptionId: 0 } })).toEqual({
      kind: 'response',
      id: 8,
      result: { subscriptionId: 0 },
    });
    expect(codec.decode({ error: { code: 2, msg: 'Invalid request' }, id: 9 })).toEqual({
      kind: 'error',
      id: 9,
      error: { code: 2, message: 'Invalid request' },
    });
    expect(codec.decode({ stream: 'btcusdt@trade', data: {} })).toEqual({ kind: 'message' });
    expect(codec.decode({ e: 'trade' })).toEqual({ kind: 'message' });
    expect(codec.decode({ subscriptionId: 0, event: { e: 'executionReport' } })).toEqual({ kind: 'message' });
    expect(codec.decode({ id: null, status: 401, error: { code: -2015, msg: 'x' } })).toEqual({ kind: 'message' });
    expect(codec.decode({ id: 'foreign', result: null })).toEqual({ kind: 'malformed', reason: 'unknown-id' });
  });

  it('types a WebSocket API error with its status (401 / -2015 → INVALID_CREDENTIALS, 429 → RATE_LIMITED)', () => {
    codec.decode({ id: 5, status: 401, error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
    const fatal = codec.toError(
      { code: -2015, message: 'Invalid API-key, IP, or permissions for action.' },
      'userDataStream.subscribe.signature',
    );
    expect(fatal).toMatchObject({ code: 'INVALID_CREDENTIALS', venueCode: -2015, httpStatus: 401 });
    expect(fatal.message).toMatch(/API key rejected/);
    codec.decode({ id: 6, status: 429, error: { code: -1003, msg: 'Too much request weight used' } });
    expect(codec.toError({ code: -1003, message: 'Too much request weight used' }, 'ping')).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: undefined,
    });
  });

  it('reads the wait a 418 / 429 states (data.retryAfter against data.serverTime) into retryAfterMs, once', () => {
    const error = { code: -1003, msg: 'Way too much request weight used; IP banned until 1700000120000.' };
    codec.decode({
      id: 7,
      status: 418,
      error: { ...error, data: { serverTime: 1_700_000_000_000, retryAfter: 1_700_000_120_000 } },
    });
    const banned = codec.toError({ code: -1003, message: error.msg }, 'userDataStream.subscribe.signature');
    expect(banned).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 418, retryAfterMs: 120_000 });
    expect(banned.message).toMatch(/no request for 120 s$/);
    codec.decode({ id: 8, status: 429, error: { code: -1003, msg: 'x', data: { retryAfter: 'soon' } } });
    expect(codec.toError({ code: -1003, message: 'x' }, 'ping').retryAfterMs).toBeUndefined();
  });
});

describe('Binance REST Retry-After', () => {
  it.each([
    ['3', 3_000],
    [' 120 ', 120_000],
    ['0', 0],
    [null, undefined],
    ['Wed, 21 Oct 2026 07:28:00 GMT', undefined],
    ['-1', undefined],
    ['1.5', undefined],
  ] as const)('%j → %j ms', (header, expected) => {
    expect(retryAfterMsOf(header)).toBe(expected);
  });
});

describe('Binance errors', () => {
  it.each([
    [{ code: -1003 }, 'back-off'],
    [{ status: 418 }, 'back-off'],
    [{ status: 503 }, 'retry'],
    [{ code: -1007 }, 'retry'],
    [{ code: -2015 }, 'fatal'],
    [{ code: -1022 }, 'fatal'],
    [{ code: -1021 }, 'fatal'],
    [{ status: 403 }, 'fatal'],
    [{ code: 2 }, 'reject'],
    [{ code: -1121, status: 400 }, 'reject'],
  ] as const)('%j is %s', (info, expected) => {
    expect(classifyBinanceError(info)).toBe(expected);
  });

  it('never puts params in a message', () => {
    const error = mapBinanceError({
      code: -1022,
      message: 'Signature for this request is not valid.',
      method: 'userDataStream.subscribe.signature',
    });
    expect(error.message).toBe(
      'Binance userDataStream.subscribe.signature failed: signature rejected: check the API secret; venue says: Signature for this request is not valid. (-1022)',
    );
  });
});

describe('Binance signing and stream rules', () => {
  it('signs like the venue checks (HMAC hex over the sorted params)', () => {
    const signed = signBinanceParams({ apiKey: 'k', secret: 's' }, 1_700_000_000_000, 5000);
    const { signature, ...rest } = signed;
    expect(signature).toBe(signBinanceHmac('s', rest));
    expect(rest).toEqual({ apiKey: 'k', timestamp: 1_700_000_000_000, recvWindow: 5000 });
  });

  it('refuses names the endpoint cannot carry, without a request', () => {
    expect(binanceStreamProblem('btcusdt@trade', 'spot')).toBeUndefined();
    expect(binanceStreamProblem('BTCUSDT@trade', 'spot')).toMatch(/not a stream name/);
    expect(binanceStreamProblem('btcusdt@aggTrade', 'futures-public')).toMatch(/\/market path/);
    expect(binanceStreamProblem('btcusdt@depth@100ms', 'futures-market')).toMatch(/\/public path/);
    expect(binanceStreamProblem('userData', 'spot')).toMatch(/user-data connection/);
    expect(binanceStreamProblem('userData', 'user-data')).toBeUndefined();
  });
});

describe('BinanceBookSync', () => {
  const event = (U: number, u: number, pu?: number): BinanceDepthUpdate => ({
    e: 'depthUpdate',
    E: u,
    s: 'BTCUSDT',
    U,
    u,
    ...(pu === undefined ? {} : { pu }),
    b: [[`${u}.00`, '1']],
    a: [],
  });

  it('spot: holds until the snapshot, drops stale events, stitches the rest into one snapshot', () => {
    const sync = new BinanceBookSync('BTCUSDT', 'spot', 100);
    expect(sync.onEvent(event(1, 3))).toEqual({ kind: 'held' });
    expect(sync.onEvent(event(4, 6))).toEqual({ kind: 'held' });
    sync.setSnapshot({ lastUpdateId: 4, bids: [['1.00', '2']], asks: [['9.00', '1']] });
    const step = sync.onEvent(event(7, 9));
    expect(step).toEqual({
      kind: 'deliver',
      message: {
        e: 'depthSnapshot',
        E: 9,
        s: 'BTCUSDT',
        u: 9,
        b: [
          ['9.00', '1'],
          ['6.00', '1'],
          ['1.00', '2'],
        ],
        a: [['9.00', '1']],
      },
    });
    expect(sync.live).toBe(true);
    const next = event(10, 12);
    expect(sync.onEvent(next)).toEqual({ kind: 'deliver', message: next });
  });

  it('a snapshot older than the buffer, or a gap inside it, asks for another snapshot', () => {
    const old = new BinanceBookSync('BTCUSDT', 'spot', 100);
    old.onEvent(event(10, 12));
    old.setSnapshot({ lastUpdateId: 5, bids: [], asks: [] });
    expect(old.onEvent(event(13, 14))).toMatchObject({ kind: 'refetch' });
    const gap = new BinanceBookSync('BTCUSDT', 'spot', 100);
    gap.onEvent(event(1, 3));
    gap.onEvent(event(5, 6));
    gap.setSnapshot({ lastUpdateId: 2, bids: [], asks: [] });
    expect(gap.onEvent(event(7, 8))).toMatchObject({ kind: 'refetch', reason: expect.stringMatching(/gap/) });
  });

  it('futures chain by pu; sequence facts for the tracker', () => {
    const sync = new BinanceBookSync('BTCUSDT', 'futures', 100);
    sync.onEvent(event(5, 8, 4));
    sync.setSnapshot({ lastUpdateId: 8, bids: [], asks: [] });
    expect(sync.onEvent(event(9, 10, 8))).toMatchObject({ kind: 'deliver', message: { e: 'depthSnapshot', u: 10 } });
    const into = { id: 0 };
    expect(binanceBookSequence(event(11, 12, 10), 'futures', into)).toEqual({ id: 12, prev: 10 });
    expect(binanceBookSequence(event(11, 12), 'spot', into)).toEqual({ id: 12, prev: 10 });
    const stitched = new BinanceBookSync('BTCUSDT', 'spot', 100);
    stitched.setSnapshot({ lastUpdateId: 3, bids: [], asks: [] });
    const step = stitched.onEvent(event(4, 4));
    expect(step.kind).toBe('deliver');
    if (step.kind === 'deliver') expect(binanceBookSequence(step.message, 'spot', into)).toEqual({ id: 4, prev: undefined });
    expect(binanceBookSequence({ e: 'depthUpdate' }, 'spot', into)).toEqual({ id: -1, prev: -1 });
  });

  // Found by test/faults/binance/binance-hostile-frames.spec.ts: each of these, sent once on the
  // depth stream, broke the book for good or handed consumers a forged one.
  it('a depthSnapshot the venue sent (only this library makes them) is unreadable, never a new book', () => {
    expect(binanceBookSequence({ e: 'depthSnapshot', u: 4, b: [], a: [] }, 'spot', { id: 0 })).toEqual({ id: -1, prev: -1 });
  });

  it.each([
    ['a level that is no pair', { b: [1] }],
    ['a level of one string', { b: ['ab'] }],
    ['a level of numbers', { a: [[1, 2]] }],
    ['levels that are no list', { b: 'x' }],
    ['u beyond a safe integer', { u: 1e300 }],
    ['U above u', { U: 20, u: 12 }],
    ['U as a string', { U: '11' }],
  ])('a junk event while buffering (%s) is dropped: the next good event still stitches', (_what, junk) => {
    const sync = new BinanceBookSync('BTCUSDT', 'spot', 100);
    sync.setSnapshot({ lastUpdateId: 10, bids: [['1.00', '2']], asks: [] });
    expect(sync.onEvent({ ...event(11, 12), ...junk })).toEqual({ kind: 'held' });
    expect(sync.onEvent(event(11, 12))).toMatchObject({
      kind: 'deliver',
      message: {
        e: 'depthSnapshot',
        u: 12,
        b: [
          ['12.00', '1'],
          ['1.00', '2'],
        ],
        a: [],
      },
    });
  });

  it('futures: an event without a readable pu is not buffered', () => {
    const sync = new BinanceBookSync('BTCUSDT', 'futures', 100);
    sync.setSnapshot({ lastUpdateId: 10, bids: [], asks: [] });
    expect(sync.onEvent(event(11, 12))).toEqual({ kind: 'held' });
    expect(sync.onEvent(event(11, 12, 10))).toMatchObject({ kind: 'deliver', message: { e: 'depthSnapshot', u: 12 } });
  });
});

// Found by test/faults/binance/binance-hostile-frames.spec.ts (user data): an event of the live
// subscription that was no event object reached `channel$('userData')` consumers as is.
describe('BinanceUserDataSession routing', () => {
  it.each([null, 'executionReport', 42, [{ e: 'executionReport' }], {}, { e: 7 }])(
    'an event of this subscription that is no typed object (%p) is unknown, never data',
    async (event) => {
      const { BinanceAdapter } = await import('./binance-adapter.js');
      const adapter = new BinanceAdapter({ market: 'user-data', restUrl: 'http://127.0.0.1:1' });
      const session = adapter.createSession(
        { request: () => Promise.resolve({ subscriptionId: 7 }) } as never,
        { credentials: { kind: 'client_credentials', clientId: 'k', clientSecret: 's' } },
        () => undefined,
      );
      expect(await session.subscribe(['userData'])).toEqual(['userData']);
      expect(session.route({ subscriptionId: 7, event })).toEqual({ kind: 'unknown' });
      expect(session.route({ subscriptionId: 7, event: { e: 'executionReport', E: 1 } })).toMatchObject({
        kind: 'data',
        channel: 'userData',
        data: { e: 'executionReport' },
      });
      session.dispose();
    },
  );
});

describe('BinanceStreamSession book stitching bound', () => {
  it('a REST snapshot that always lags the stream ends the session after 10 refetches (no endless REST calls)', async () => {
    const { BinanceAdapter } = await import('./binance-adapter.js');
    let fetches = 0;
    const adapter = new BinanceAdapter({
      market: 'spot',
      restUrl: 'http://127.0.0.1:1',
      fetch: () => {
        fetches += 1;
        return Promise.resolve({ status: 200, json: () => Promise.resolve({ lastUpdateId: 1, bids: [], asks: [] }) });
      },
    });
    const fatal: Array<{ code: string; message: string }> = [];
    const session = adapter.createSession({ request: () => Promise.resolve(null) } as never, {}, (e) => fatal.push(e));
    const stream = 'btcusdt@depth@100ms';
    expect(await session.subscribe([stream])).toEqual([stream]);
    let u = 100;
    for (let i = 0; i < 40 && fatal.length === 0; i += 1) {
      // Each event starts well past the snapshot: never stitchable.
      session.route({ stream, data: { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: u + 1, u: u + 2, b: [], a: [] } });
      u += 2;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fatal).toEqual([expect.objectContaining({ code: 'VENUE_ERROR', message: expect.stringMatching(/after 10 tries/) })]);
    expect(fetches).toBe(11);
    session.dispose();
  });
});

describe('BinanceAdapter.sequenceOf (its one-character pre-check)', () => {
  it('sequences every diff depth stream form and nothing else', async () => {
    const { BinanceAdapter } = await import('./binance-adapter.js');
    const adapter = new BinanceAdapter({ market: 'spot', restUrl: 'http://127.0.0.1:1' });
    const update = { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: 11, u: 12, b: [], a: [] };
    for (const stream of ['btcusdt@depth', 'btcusdt@depth@100ms', 'btcusdt@depth@1000ms']) {
      expect({ stream, seq: adapter.sequenceOf(stream, update) }).toEqual({ stream, seq: { id: 12, prev: 10 } });
    }
    // Partial books, and streams ending as a depth stream may (`s`, `h`) without being one.
    for (const stream of [
      'btcusdt@depth5',
      'btcusdt@depth20@100ms',
      'btcusdt@markPrice@1s',
      'btcusdt@trade',
      'btcusdt@bookTicker',
    ]) {
      expect({ stream, seq: adapter.sequenceOf(stream, update) }).toEqual({ stream, seq: undefined });
    }
  });
});
