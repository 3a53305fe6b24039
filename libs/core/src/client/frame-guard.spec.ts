import { MalformedCounter, parseFrame } from './frame-guard.js';

const text = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseFrame', () => {
  it('recognises results, errors and notifications', () => {
    expect(parseFrame(text({ jsonrpc: '2.0', id: 7, result: 'ok', usIn: 1, usOut: 2, usDiff: 1, testnet: true }), false)).toEqual(
      {
        kind: 'response',
        id: 7,
        result: 'ok',
      },
    );
    expect(parseFrame(text({ jsonrpc: '2.0', id: 8, error: { code: 13004, message: 'invalid_credentials' } }), false)).toEqual({
      kind: 'error-response',
      id: 8,
      code: 13004,
      message: 'invalid_credentials',
    });
    expect(
      parseFrame(
        text({ jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.BTC-PERPETUAL.100ms', data: {} } }),
        false,
      ),
    ).toEqual({
      kind: 'notification',
      notification: { jsonrpc: '2.0', method: 'subscription', params: { channel: 'ticker.BTC-PERPETUAL.100ms', data: {} } },
    });
  });

  it('accepts a null result', () => {
    expect(parseFrame(text({ jsonrpc: '2.0', id: 1, result: null }), false)).toEqual({ kind: 'response', id: 1, result: null });
  });

  it.each([
    ['binary', text({ id: 1, result: 1 }), true],
    ['unparsable', text('{not json'), false],
    ['unparsable', text(''), false],
    ['not-an-object', text('[1,2]'), false],
    ['not-an-object', text('42'), false],
    ['wrong-shape', text({ id: 'x', result: 1 }), false],
    ['wrong-shape', text({ id: 1.5, result: 1 }), false],
    ['wrong-shape', text({ id: 1 }), false],
    ['wrong-shape', text({ id: 1, error: { message: 'no code' } }), false],
    ['wrong-shape', text({ jsonrpc: '2.0' }), false],
    ['wrong-shape', text({ method: 42 }), false],
    ['wrong-shape', text({ jsonrpc: '2.0', method: 'subscription', params: ['not', 'an', 'object'] }), false],
    ['wrong-shape', text({ jsonrpc: '2.0', method: 'subscription', params: 'x' }), false],
  ] as const)('reports %s', (reason, data, isBinary) => {
    expect(parseFrame(data, isBinary)).toEqual({ kind: 'malformed', reason });
  });

  it('reads fragmented and ArrayBuffer payloads', () => {
    const whole = text({ id: 3, result: 'x' });
    expect(parseFrame([whole.subarray(0, 5), whole.subarray(5)], false)).toMatchObject({ kind: 'response', id: 3 });
    const copy = new Uint8Array(whole).buffer;
    expect(parseFrame(copy, false)).toMatchObject({ kind: 'response', id: 3 });
  });
});

describe('MalformedCounter', () => {
  it('logs the first and every 100th', () => {
    const counter = new MalformedCounter(100);
    const logged: number[] = [];
    for (let i = 0; i < 250; i++) {
      const { count, log } = counter.record(i % 2 ? 'binary' : 'unparsable');
      if (log) logged.push(count);
    }
    expect(logged).toEqual([1, 100, 200]);
    expect(counter.count).toBe(250);
    expect(counter.reasons()).toEqual({ unparsable: 125, binary: 125 });
  });
});
