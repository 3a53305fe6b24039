import { BybitAdapter } from '@exchange-connection/core';
import { ChannelAllowList } from './public-channels.js';
import { parseStreamRequest } from './stream-protocol.js';

const allow = new Map([['deribit', new ChannelAllowList(['ticker.BTC-PERPETUAL.100ms', 'book.BTC-PERPETUAL.100ms'])]]);
const limits = { maxBytes: 1024 };
const parse = (frame: string | Buffer, isBinary = false) => parseStreamRequest(frame, isBinary, allow, limits);
const text = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseStreamRequest', () => {
  it('accepts subscribe, unsubscribe and ping, with an optional id', () => {
    expect(parse(text({ type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms' }))).toEqual({
      ok: true,
      request: { type: 'subscribe', connection: 'deribit', channel: 'ticker.BTC-PERPETUAL.100ms' },
    });
    expect(parse(text({ type: 'unsubscribe', channel: 'book.BTC-PERPETUAL.100ms', id: 7 }))).toEqual({
      ok: true,
      request: { type: 'unsubscribe', connection: 'deribit', channel: 'book.BTC-PERPETUAL.100ms', id: 7 },
    });
    expect(parse(JSON.stringify({ type: 'ping', id: 'x' }))).toEqual({ ok: true, request: { type: 'ping', id: 'x' } });
    expect(parse(text({ type: 'status', id: 2 }))).toEqual({ ok: true, request: { type: 'status', id: 2 } });
    // Fragmented frames arrive as Buffer[].
    expect(parseStreamRequest([Buffer.from('{"type":'), Buffer.from('"ping"}')], false, allow, limits)).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['a private channel', { type: 'subscribe', channel: 'user.orders.BTC-PERPETUAL.raw' }, 'channel_not_allowed'],
    ['a public channel off the list', { type: 'subscribe', channel: 'trades.BTC-PERPETUAL.raw' }, 'channel_not_allowed'],
    ['a near-miss channel', { type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms ' }, 'channel_not_allowed'],
    ['a method call', { type: 'call', method: 'private/buy' }, 'bad_shape'],
    [
      'a JSON-RPC request',
      { jsonrpc: '2.0', id: 1, method: 'public/subscribe', params: { channels: ['user.orders.any.raw'] } },
      'bad_shape',
    ],
    ['an unknown type', { type: 'auth' }, 'unknown_type'],
    ['a missing type', { channel: 'ticker.BTC-PERPETUAL.100ms' }, 'bad_shape'],
    ['a non-string type', { type: 1 }, 'bad_shape'],
    ['a missing channel', { type: 'subscribe' }, 'bad_shape'],
    ['a non-string channel', { type: 'subscribe', channel: ['ticker.BTC-PERPETUAL.100ms'] }, 'bad_shape'],
    ['an extra field', { type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms', params: {} }, 'bad_shape'],
    ['a bad id', { type: 'ping', id: { nested: true } }, 'bad_shape'],
    ['an over-long id', { type: 'ping', id: 'x'.repeat(65) }, 'bad_shape'],
    ['a ping with a channel', { type: 'ping', channel: 'ticker.BTC-PERPETUAL.100ms' }, 'bad_shape'],
    ['a status with a channel', { type: 'status', channel: 'user.orders.BTC-PERPETUAL.raw' }, 'bad_shape'],
    ['a status with extra fields', { type: 'status', connection: 'deribit' }, 'bad_shape'],
    ['a status with an unknown field', { type: 'status', venue: 'deribit' }, 'bad_shape'],
    ['an array', [{ type: 'ping' }], 'bad_shape'],
    ['null', null, 'bad_shape'],
    ['a number', 42, 'bad_shape'],
  ])('refuses %s', (_name, message, code) => {
    expect(parse(text(message))).toMatchObject({ ok: false, code });
  });

  it('refuses garbage, binary frames and oversize messages', () => {
    expect(parse('{not json')).toMatchObject({ ok: false, code: 'bad_json' });
    expect(parse('')).toMatchObject({ ok: false, code: 'bad_json' });
    expect(parse(Buffer.from([0xde, 0xad]), true)).toMatchObject({ ok: false, code: 'binary' });
    const big = JSON.stringify({ type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms', id: 'x'.repeat(1_100) });
    expect(parse(big)).toMatchObject({ ok: false, code: 'too_large' });
    // Size counts bytes, not characters.
    expect(parse(JSON.stringify({ type: 'ping', id: 'é'.repeat(60) }) + ' '.repeat(900))).toMatchObject({
      ok: false,
      code: 'too_large',
    });
  });

  it('echoes a valid id with an error but never the offending input', () => {
    const result = parse(text({ type: 'subscribe', channel: 'user.orders.BTC-PERPETUAL.raw', id: 9 }));
    expect(result).toMatchObject({ ok: false, code: 'channel_not_allowed', id: 9 });
    expect(JSON.stringify(result)).not.toContain('user.orders');
    expect(JSON.stringify(parse('{"type":"<script>"}'))).not.toContain('<script>');
  });
});

describe('parseStreamRequest with several connections', () => {
  const lists = new Map([
    ['deribit', new ChannelAllowList(['ticker.BTC-PERPETUAL.100ms'])],
    ['deribit-b', new ChannelAllowList(['ticker.BTC-PERPETUAL.100ms', 'ticker.ETH-PERPETUAL.100ms'])],
    ['bybit', new ChannelAllowList(['tickers.BTCUSDT'], new BybitAdapter({ market: 'linear' }))],
  ]);
  const parseMany = (message: unknown) => parseStreamRequest(text(message), false, lists, limits);

  it('addresses a channel by connection, or by the channel alone when one connection offers it', () => {
    expect(parseMany({ type: 'subscribe', connection: 'bybit', channel: 'tickers.BTCUSDT', id: 1 })).toEqual({
      ok: true,
      request: { type: 'subscribe', connection: 'bybit', channel: 'tickers.BTCUSDT', id: 1 },
    });
    expect(parseMany({ type: 'subscribe', channel: 'tickers.BTCUSDT' })).toEqual({
      ok: true,
      request: { type: 'subscribe', connection: 'bybit', channel: 'tickers.BTCUSDT' },
    });
    expect(parseMany({ type: 'unsubscribe', channel: 'ticker.ETH-PERPETUAL.100ms' })).toMatchObject({
      ok: true,
      request: { connection: 'deribit-b' },
    });
  });

  it.each([
    ['an unknown connection', { type: 'subscribe', connection: 'okx', channel: 'tickers.BTCUSDT' }, 'unknown_connection'],
    [
      'a channel of another connection',
      { type: 'subscribe', connection: 'deribit', channel: 'tickers.BTCUSDT' },
      'channel_not_allowed',
    ],
    ['a channel two connections offer, unnamed', { type: 'subscribe', channel: 'ticker.BTC-PERPETUAL.100ms' }, 'bad_shape'],
    ['a non-string connection', { type: 'subscribe', connection: 1, channel: 'tickers.BTCUSDT' }, 'bad_shape'],
    ['a private Bybit topic', { type: 'subscribe', connection: 'bybit', channel: 'order' }, 'channel_not_allowed'],
    ['a ping with a connection', { type: 'ping', connection: 'bybit' }, 'bad_shape'],
  ])('refuses %s', (_name, message, code) => {
    expect(parseMany(message)).toMatchObject({ ok: false, code });
  });

  it('never echoes an unknown connection name', () => {
    expect(JSON.stringify(parseMany({ type: 'subscribe', connection: '<b>x</b>', channel: 'a' }))).not.toContain('<b>');
  });
});

describe('ChannelAllowList', () => {
  it('refuses to hold a private channel', () => {
    expect(() => new ChannelAllowList(['ticker.BTC-PERPETUAL.100ms', 'user.orders.BTC-PERPETUAL.raw'])).toThrow(/private/);
    // The venue's adapter decides: Bybit's private topics have no common prefix.
    expect(() => new ChannelAllowList(['tickers.BTCUSDT', 'wallet'], new BybitAdapter({ market: 'linear' }))).toThrow(/private/);
    expect(() => new ChannelAllowList(['user.portfolio.btc'])).toThrow(/private/);
  });

  it('the default list is public market data only', () => {
    const list = new ChannelAllowList();
    expect(list.list().length).toBeGreaterThan(0);
    for (const channel of list.list()) expect(channel).toMatch(/^(ticker|book)\./);
  });
});
