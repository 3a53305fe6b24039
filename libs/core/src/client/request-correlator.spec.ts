import { ExchangeConnectionError } from './errors.js';
import { JsonRpcCodec, type JsonRpcErrorMapper } from './json-rpc-codec.js';
import { RequestCorrelator } from './request-correlator.js';
import type { DecodedFrame, VenueCodec } from './venue-codec.js';

function correlator(mapError?: JsonRpcErrorMapper, codec: VenueCodec = new JsonRpcCodec(mapError)) {
  const sent: Array<{ id: number; method: string; params?: unknown }> = [];
  const rpc = new RequestCorrelator({ send: (text) => sent.push(JSON.parse(text)), codec });
  return { rpc, sent };
}

const ok = (id: number | undefined, result: unknown, method?: string): DecodedFrame & { kind: 'response' } => ({
  kind: 'response',
  id,
  method,
  result,
});
const failed = (id: number | undefined, code: number | undefined, message: string, method?: string) =>
  ({ kind: 'error', id, method, error: { code, message } }) as const;

describe('RequestCorrelator', () => {
  it('uses increasing integer ids and matches responses by id', async () => {
    const { rpc, sent } = correlator();
    const a = rpc.request<string>('public/test', undefined, 1000);
    const b = rpc.request<number>('public/get_time', {}, 1000);
    expect(sent.map((f) => f.id)).toEqual([1, 2]);
    expect(sent[0]).toEqual({ jsonrpc: '2.0', id: 1, method: 'public/test' });
    expect(rpc.settle(ok(2, 42))).toBe('matched');
    expect(rpc.settle(ok(1, 'ok'))).toBe('matched');
    await expect(a).resolves.toBe('ok');
    await expect(b).resolves.toBe(42);
    expect(rpc.inFlight).toBe(0);
    expect(rpc.settle(ok(99, 1))).toBe('unknown');
  });

  it('matches an answer without an id to the oldest pending request of its method', async () => {
    const { rpc } = correlator();
    const first = rpc.request('subscribe', {}, 1000);
    const ping = rpc.request('ping', undefined, 1000);
    const second = rpc.request('subscribe', {}, 1000);
    expect(rpc.settle(ok(undefined, 'pong', 'ping'))).toBe('matched');
    expect(rpc.settle(ok(undefined, 'one', 'subscribe'))).toBe('matched');
    expect(rpc.settle(failed(undefined, undefined, 'no', 'subscribe'))).toBe('matched');
    await expect(ping).resolves.toBe('pong');
    await expect(first).resolves.toBe('one');
    await expect(second).rejects.toMatchObject({ code: 'VENUE_ERROR', method: 'subscribe' });
    expect(rpc.settle(ok(undefined, 'x', 'subscribe'))).toBe('unknown');
    expect(rpc.settle(ok(undefined, 'x'))).toBe('unknown');
  });

  it('takes the next answer without an id as the late one of a request that timed out', async () => {
    const { rpc } = correlator();
    await expect(rpc.request('ping', undefined, 10)).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    const next = rpc.request('ping', undefined, 1000);
    expect(rpc.settle(ok(undefined, 'late pong', 'ping'))).toBe('late');
    expect(rpc.settle(ok(undefined, 'pong', 'ping'))).toBe('matched');
    await expect(next).resolves.toBe('pong');
  });

  it('counts a late answer matched by id as paid, so the next answer without an id is not taken for late', async () => {
    const { rpc } = correlator();
    await expect(rpc.request('subscribe', {}, 10)).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(rpc.settle(ok(1, 'late ack', 'subscribe'))).toBe('late');
    const next = rpc.request('subscribe', {}, 1000);
    expect(rpc.settle(ok(undefined, 'ack', 'subscribe'))).toBe('matched');
    await expect(next).resolves.toBe('ack');
  });

  it('forgets owed answers when the socket is lost', async () => {
    const { rpc } = correlator();
    await expect(rpc.request('ping', undefined, 10)).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    rpc.failAll((method) => new ExchangeConnectionError('DISCONNECTED', method));
    const next = rpc.request('ping', undefined, 1000);
    expect(rpc.settle(ok(undefined, 'pong', 'ping'))).toBe('matched');
    await expect(next).resolves.toBe('pong');
  });

  it('types error answers through the codec, with the venue words cleaned', async () => {
    const plain = correlator();
    const p = plain.rpc.request('private/buy', { secret: 'x' }, 1000);
    plain.rpc.settle(failed(1, 10028, 'too_many_requests'));
    await expect(p).rejects.toMatchObject({ code: 'VENUE_ERROR', venueCode: 10028, method: 'private/buy' });
    await p.catch((error: Error) => expect(error.message).not.toContain('secret'));

    const mapped = correlator(
      (code, message, method) => new ExchangeConnectionError('INVALID_CREDENTIALS', message, { venueCode: code, method }),
    );
    const q = mapped.rpc.request('public/auth', {}, 1000);
    mapped.rpc.settle(failed(1, 13004, 'invalid\ncredentials'));
    await expect(q).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      venueCode: 13004,
      method: 'public/auth',
      message: 'invalid credentials',
    });
  });

  it('times out with REQUEST_TIMEOUT and treats the late response as late, not unknown', async () => {
    const { rpc } = correlator();
    await expect(rpc.request('public/test', undefined, 20)).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      method: 'public/test',
    });
    expect(rpc.requestTimeouts).toBe(1);
    expect(rpc.settle(ok(1, 'late'))).toBe('late');
    expect(rpc.settle(ok(1, 'again'))).toBe('unknown');
  });

  it('fails every in-flight request at once', async () => {
    const { rpc } = correlator();
    const all = [rpc.request('a', undefined, 60_000), rpc.request('b', undefined, 60_000)];
    rpc.failAll((method) => new ExchangeConnectionError('DISCONNECTED', `lost ${method}`, { method }));
    await expect(all[0]).rejects.toMatchObject({ code: 'DISCONNECTED', method: 'a' });
    await expect(all[1]).rejects.toMatchObject({ code: 'DISCONNECTED', method: 'b' });
    expect(rpc.inFlight).toBe(0);
  });

  it('rejects unserialisable params without sending, and passes a codec refusal on as is', async () => {
    const { rpc, sent } = correlator();
    await expect(rpc.request('x', { n: 1n }, 1000)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(sent).toHaveLength(0);
    const refusal = new ExchangeConnectionError('INVALID_REQUEST', 'params may not set "op"');
    const strict = correlator(undefined, {
      encode: () => {
        throw refusal;
      },
      decode: () => ({ kind: 'message' }),
      toError: () => refusal,
    });
    await expect(strict.rpc.request('x', {}, 1000)).rejects.toBe(refusal);
  });

  it('rejects a request whose send throws, without leaving it pending', async () => {
    const rpc = new RequestCorrelator({
      codec: new JsonRpcCodec(),
      send: () => {
        throw new Error('socket gone');
      },
    });
    await expect(rpc.request('x', undefined, 60_000)).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(rpc.inFlight).toBe(0);
  });

  it('rejects the request with CLIENT_FAULT and rethrows when the codec throws typing an error', async () => {
    const { rpc } = correlator(() => {
      throw new Error('adapter bug');
    });
    const p = rpc.request('x', undefined, 60_000);
    expect(() => rpc.settle(failed(1, 1, 'boom'))).toThrow('adapter bug');
    await expect(p).rejects.toMatchObject({ code: 'CLIENT_FAULT' });
  });
});
