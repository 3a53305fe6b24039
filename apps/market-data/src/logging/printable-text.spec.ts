import { printableText } from './printable-text.js';

describe('printableText', () => {
  it('turns control characters into visible escapes: no forged line, no terminal escape', () => {
    const text = printableText('bad\n2026-01-01 LOG forged\r\u001b[31mred\u0007\u0085');
    expect(text).toBe('bad\\n2026-01-01 LOG forged\\r\\x1b[31mred\\x07\\x85');
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('neutralises line separators and bidi overrides', () => {
    expect(printableText('a\u2028b\u202ec')).toBe('a\\u2028b\\u202ec');
  });

  it('keeps ordinary text, including non-ASCII, and cuts to the limit', () => {
    expect(printableText('Deribit public/auth failed: invalid_credentials (13004) — é')).toBe(
      'Deribit public/auth failed: invalid_credentials (13004) — é',
    );
    expect(printableText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
