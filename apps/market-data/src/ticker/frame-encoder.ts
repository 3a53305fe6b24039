/** Why a frame reached no client. */
export type FrameDropReason =
  /** JSON.stringify threw: nesting deeper than the stack, a BigInt, a cycle. */
  | 'unserialisable'
  /** Larger than the gateway's frame cap once serialised. */
  | 'too_large';

export type EncodedFrame = { ok: true; bytes: Buffer } | { ok: false; reason: FrameDropReason };

/**
 * Serialises one outgoing message, once, for every client that gets it: `ws` sends the same Buffer
 * to each socket without copying it. Never throws: whatever a venue sent, the worst outcome is a
 * frame nobody receives.
 */
export function encodeFrame(message: unknown, maxBytes: number): EncodedFrame {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch {
    return { ok: false, reason: 'unserialisable' };
  }
  if (text === undefined) return { ok: false, reason: 'unserialisable' };
  // A character is at least one UTF-8 byte: too many characters is too many bytes, without encoding.
  if (text.length > maxBytes) return { ok: false, reason: 'too_large' };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large' };
  return { ok: true, bytes };
}
