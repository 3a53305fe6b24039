/**
 * Text a venue (or anything between it and us) chose: error messages, close reasons, TLS details.
 * It reaches logs and error messages, so it must not be able to forge a log line (a newline),
 * drive a terminal (an ANSI escape), hide or reorder what follows (bidi controls) or flood a line.
 */

/** Error messages from a venue keep this many characters. */
export const VENUE_MESSAGE_MAX_LENGTH = 200;
/** A close reason is at most 123 bytes on the wire; a sane one is far shorter. */
export const CLOSE_REASON_MAX_LENGTH = 64;

// C0 and C1 controls, DEL, Unicode line/paragraph separators and bidirectional controls.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
// Characters that break a line are shown as a space, so the words around them stay readable.
const LINE_BREAKING = /[\t\n\v\f\r\u0085\u2028\u2029]/;

/**
 * One printable line of at most `maxLength` characters (plus `…` when cut): line-breaking
 * characters become a space, every other control character `?`.
 */
export function cleanVenueText(text: string, maxLength = VENUE_MESSAGE_MAX_LENGTH): string {
  const printable = UNSAFE.test(text) ? text.replace(UNSAFE_ALL, (c) => (LINE_BREAKING.test(c) ? ' ' : '?')) : text;
  if (printable.length <= maxLength) return printable;
  // Never split a surrogate pair: half a character is not printable either.
  const end = isHighSurrogate(printable.charCodeAt(maxLength - 1)) ? maxLength - 1 : maxLength;
  return `${printable.slice(0, end)}…`;
}

/** True when `text` holds a character `cleanVenueText` would replace. */
export function hasControlCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
