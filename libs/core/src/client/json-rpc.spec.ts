import { ExchangeConnectionError } from './errors.js';
import { JsonRpcCorrelator } from './json-rpc.js';

function correlator(mapError?: ConstructorParameters<typeof JsonRpcCorrelator>[0]['mapError']) {
  const sent: Array<{ id: number; method: string; params?: unknown }> = [];
  const rpc = new JsonRpcCorrelator({ send: (text) => sent.push(JSON.parse(text)), mapError });
  return { rpc, sent };
}

describe('JsonRpcCorrelator', () => {
  it('uses increasing integer ids and matches responses by id', async () => {
    const { rpc, sent } = correlator();
    const a = rpc.request<string>('public/test', undefined, 1000);
    const b = rpc.request<number>('public/get_time', {}, 1000);
    expect(sent.map((f) => f.id)).toEqual([1, 2]);
    expect(sent[0]).toEqual({ jsonrpc: '2.0', id: 1, method: 'public/test' });
    expect(rpc.resolve(2, 42)).toBe('matched');
    expect(rpc.resolve(1, 'ok')).toBe('matched');
    await expect(a).resolves.toBe('ok');
    await expect(b).resolves.toBe(42);
    expect(rpc.inFlight).toBe(0);
    expect(rpc.resolve(99, 1)).toBe('unknown');
  });

  it('maps error responses to VENUE_ERROR with venueCode, or through mapError', async () => {
    const plain = correlator();
    const p = plain.rpc.request('private/buy', { secret: 'x' }, 1000);
    plain.rpc.reject(1, 10028, 'too_many_requests');
    await expect(p).rejects.toMatchObject({ code: 'VENUE_ERROR', venueCode: 10028, method: 'private/buy' });
    await p.catch((error: Error) => expect(error.message).not.toContain('secret'));

    const mapped = correlator(
      (code, message, method) => new ExchangeConnectionError('INVALID_CREDENTIALS', message, { venueCode: code, method }),
    );
    const q = mapped.rpc.request('public/auth', {}, 1000);
    mapped.rpc.reject(1, 13004, 'invalid_credentials');
    await expect(q).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', venueCode: 13004, method: 'public/auth' });
  });

  it('times out with REQUEST_TIMEOUT and treats the late response as late, not unknown', async () => {
    const { rpc } = correlator();
    await expect(rpc.request('public/test', undefined, 20)).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      method: 'public/test',
    });
    expect(rpc.requestTimeouts).toBe(1);
    expect(rpc.resolve(1, 'late')).toBe('late');
    expect(rpc.resolve(1, 'again')).toBe('unknown');
  });

  it('fails every in-flight request at once', async () => {
    const { rpc } = correlator();
    const all = [rpc.request('a', undefined, 60_000), rpc.request('b', undefined, 60_000)];
    rpc.failAll((method) => new ExchangeConnectionError('DISCONNECTED', `lost ${method}`, { method }));
    await expect(all[0]).rejects.toMatchObject({ code: 'DISCONNECTED', method: 'a' });
    await expect(all[1]).rejects.toMatchObject({ code: 'DISCONNECTED', method: 'b' });
    expect(rpc.inFlight).toBe(0);
  });

  it('rejects unserialisable params without sending', async () => {
    const { rpc, sent } = correlator();
    await expect(rpc.request('x', { n: 1n }, 1000)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(sent).toHaveLength(0);
  });

  it('rejects a request whose send throws, without leaving it pending', async () => {
    const rpc = new JsonRpcCorrelator({
      send: () => {
        throw new Error('socket gone');
      },
    });
    await expect(rpc.request('x', undefined, 60_000)).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(rpc.inFlight).toBe(0);
  });

  it('rejects the request with CLIENT_FAULT and rethrows when mapError throws', async () => {
    const { rpc } = correlator(() => {
      throw new Error('adapter bug');
    });
    const p = rpc.request('x', undefined, 60_000);
    expect(() => rpc.reject(1, 1, 'boom')).toThrow('adapter bug');
    await expect(p).rejects.toMatchObject({ code: 'CLIENT_FAULT' });
  });
});
