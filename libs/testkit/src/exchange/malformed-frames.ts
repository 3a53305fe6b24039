import { subscriptionNotification } from './json-rpc-envelope.js';

export type MalformedKind = 'garbage' | 'binary' | 'unknown-id' | 'wrong-shape' | 'deep-nesting';

export const MALFORMED_KINDS: readonly MalformedKind[] = ['garbage', 'binary', 'unknown-id', 'wrong-shape', 'deep-nesting'];

const NESTING_DEPTH = 10_000;

/** A frame a robust client must survive without dropping the connection or other consumers. */
export function malformedFrame(kind: MalformedKind): string | Buffer {
  switch (kind) {
    case 'garbage':
      return '{"jsonrpc":"2.0","method":"subscription","params":{"channel":';
    case 'binary':
      return Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x7b, 0x22]);
    case 'unknown-id':
      return JSON.stringify({ jsonrpc: '2.0', id: 987_654_321, result: 'ok', usIn: 0, usOut: 0, usDiff: 0, testnet: true });
    case 'wrong-shape':
      return JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: ['not', 'an', 'object'] });
    case 'deep-nesting':
      return `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":${'['.repeat(NESTING_DEPTH)}${']'.repeat(NESTING_DEPTH)}}}`;
  }
}

/** A well-formed subscription notification padded to exactly `bytes` (or its minimum size). */
export function oversizedNotification(channel: string, bytes: number): string {
  const empty = subscriptionNotification(channel, { padding: '' });
  const padding = Math.max(0, bytes - Buffer.byteLength(empty));
  return subscriptionNotification(channel, { padding: 'x'.repeat(padding) });
}
