import { ExchangeConnectionError } from '../../client/errors.js';
import { bybitErrorClass, classifyBybitError, isBybitFatal, mapBybitError } from './bybit-errors.js';

describe('classifyBybitError by code', () => {
  it.each([
    [10016, 'reconnect', 'VENUE_ERROR'],
    [10019, 'reconnect', 'VENUE_ERROR'],
    [10429, 'back-off', 'RATE_LIMITED'],
    [20003, 'back-off', 'RATE_LIMITED'],
    [10006, 'back-off', 'RATE_LIMITED'],
    [10403, 'back-off', 'RATE_LIMITED'],
    [10003, 'fatal', 'INVALID_CREDENTIALS'],
    [10004, 'fatal', 'INVALID_CREDENTIALS'],
    [10005, 'fatal', 'INVALID_CREDENTIALS'],
    [10010, 'fatal', 'INVALID_CREDENTIALS'],
    [33004, 'fatal', 'INVALID_CREDENTIALS'],
    [20006, 'reject', 'VENUE_ERROR'],
    [10001, 'reject', 'VENUE_ERROR'],
    [110007, 'reject', 'VENUE_ERROR'],
  ] as const)('%d → %s (%s)', (code, errorClass, typed) => {
    const info = { code, message: 'venue words', op: 'order.create' };
    expect(classifyBybitError(info)).toBe(errorClass);
    const error = mapBybitError(info);
    expect(error).toBeInstanceOf(ExchangeConnectionError);
    expect(error).toMatchObject({ code: typed, venueCode: code, method: 'order.create' });
    expect(bybitErrorClass(error)).toBe(errorClass);
    expect(isBybitFatal(error)).toBe(errorClass === 'fatal');
  });
});

describe('classifyBybitError on stream acks (no code)', () => {
  it.each([
    ['auth', 'Invalid apikey', 'fatal'],
    ['auth', 'error sign!', 'fatal'],
    ['auth', 'Params Error', 'reject'],
    ['auth', 'Request not authorized', 'fatal'],
    ['auth', 'error:request expired', 'reject'],
    ['subscribe', 'error:handler not found,topic:tickers.NOPE', 'reject'],
    ['subscribe', 'Too many requests', 'back-off'],
    ['ping', 'frequency protection', 'back-off'],
  ] as const)('%s "%s" → %s', (op, message, errorClass) => {
    expect(classifyBybitError({ op, message })).toBe(errorClass);
    expect(bybitErrorClass(mapBybitError({ op, message }))).toBe(errorClass);
  });
});

describe('mapBybitError messages', () => {
  it('say what to check on a fatal code, with the venue words and code', () => {
    const error = mapBybitError({ code: 10010, message: 'Unmatched IP', op: 'auth' });
    expect(error.message).toBe(
      'Bybit auth failed: unmatched IP: the API key is bound to other IP addresses; venue says: Unmatched IP (10010)',
    );
  });

  it('stay readable without venue words or code', () => {
    expect(mapBybitError({ message: '', op: 'subscribe' }).message).toBe('Bybit subscribe failed: no message');
  });

  it('leave non-venue errors unclassified', () => {
    expect(bybitErrorClass(new ExchangeConnectionError('DISCONNECTED', 'gone'))).toBeUndefined();
    expect(bybitErrorClass(new Error('x'))).toBeUndefined();
  });
});
