/** C0 and C1 controls, DEL, line/paragraph separators and the bidi overrides that reorder text. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A venue-supplied string made safe to show: every control character becomes a visible escape
 * (`\x1b`, `\n`), so a newline cannot forge a log line or a status row and an ANSI sequence cannot
 * reach a terminal; then it is cut to `maxLength` characters.
 */
export function printableText(text: string, maxLength = 300): string {
  const cleaned = text.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return cleaned.length <= maxLength ? cleaned : `${cleaned.slice(0, maxLength - 1)}…`;
}
