import { closeCodeError, toConnectionError } from './error-classification.js';
import { ExchangeConnectionError } from './errors.js';
import { JsonRpcCodec } from './json-rpc-codec.js';
import { RequestCorrelator } from './request-correlator.js';
import { CLOSE_REASON_MAX_LENGTH, VENUE_MESSAGE_MAX_LENGTH, cleanVenueText, hasControlCharacters } from './venue-text.js';

const FORGED_LINE = 'bad request\n2026-01-01T00:00:00Z [log] ready: all good';
const ANSI = '\u001b[31mred\u001b[0m \u001b]0;title\u0007';

describe('cleanVenueText', () => {
  it('keeps ordinary text, Unicode included, as it is', () => {
    expect(cleanVenueText('invalid_credentials')).toBe('invalid_credentials');
    expect(cleanVenueText('ungültige Anmeldedaten — 認証エラー')).toBe('ungültige Anmeldedaten — 認証エラー');
  });

  it('turns line breaks into spaces, so a venue cannot forge a log line', () => {
    expect(cleanVenueText(FORGED_LINE)).toBe('bad request 2026-01-01T00:00:00Z [log] ready: all good');
    expect(cleanVenueText('a\r\nb\tc\u2028d\u2029e\u0085f')).toBe('a  b c d e f');
  });

  it('replaces ANSI escapes, other C0/C1 controls, DEL and bidi controls with ?', () => {
    expect(cleanVenueText(ANSI)).toBe('?[31mred?[0m ?]0;title?');
    expect(cleanVenueText('\u0000\u007f\u009b\u202eevil\u2066')).toBe('????evil?');
    expect(hasControlCharacters(cleanVenueText(ANSI + FORGED_LINE))).toBe(false);
  });

  it('bounds the length and marks the cut, never splitting a surrogate pair', () => {
    expect(cleanVenueText('x'.repeat(1_000))).toBe(`${'x'.repeat(VENUE_MESSAGE_MAX_LENGTH)}…`);
    expect(cleanVenueText('abc', 3)).toBe('abc');
    expect(cleanVenueText('ab😀', 3)).toBe('ab…');
  });
});

describe('venue text on its way into errors', () => {
  it('a JSON-RPC error message: cleaned and bounded in the typed error', async () => {
    const rpc = new RequestCorrelator({ send: () => undefined, codec: new JsonRpcCodec() });
    const pending = rpc.request('public/test', undefined, 1_000);
    rpc.settle({ kind: 'error', id: 1, error: { code: -32000, message: `${FORGED_LINE} ${ANSI} ${'y'.repeat(500)}` } });
    const error = (await pending.catch((e: unknown) => e)) as ExchangeConnectionError;
    expect(hasControlCharacters(error.message)).toBe(false);
    expect(error.message).toContain('bad request 2026-01-01T00:00:00Z');
    expect(error.message.length).toBeLessThan(VENUE_MESSAGE_MAX_LENGTH + 60);
  });

  it('a close reason: cleaned and bounded', () => {
    const error = closeCodeError(4000, `bye\n${ANSI}${'z'.repeat(100)}`);
    expect(hasControlCharacters(error.message)).toBe(false);
    expect(error.message).toContain('bye ?[31mred');
    expect(error.message.length).toBeLessThan(CLOSE_REASON_MAX_LENGTH + 40);
  });

  it('an exception described for a log or an error: cleaned and bounded (TLS errors quote the peer)', () => {
    const error = toConnectionError(new Error(`altnames: DNS:evil\n${ANSI}${'w'.repeat(500)}`));
    expect(error.code).toBe('CLIENT_FAULT');
    expect(hasControlCharacters(error.message)).toBe(false);
    expect(error.message.length).toBeLessThan(VENUE_MESSAGE_MAX_LENGTH + 60);
  });
});
