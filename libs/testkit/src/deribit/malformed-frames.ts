import { BINARY_GARBAGE, deeplyNested, paddedTo, type MalformedKind } from '../shared/malformed-kind.js';
import { subscriptionNotification } from './json-rpc-envelope.js';

/** A frame a robust Deribit client must survive without dropping the connection or other consumers. */
export function malformedFrame(kind: MalformedKind): string | Buffer {
  switch (kind) {
    case 'garbage':
      return '{"jsonrpc":"2.0","method":"subscription","params":{"channel":';
    case 'binary':
      return BINARY_GARBAGE;
    case 'unknown-id':
      return JSON.stringify({ jsonrpc: '2.0', id: 987_654_321, result: 'ok', usIn: 0, usOut: 0, usDiff: 0, testnet: true });
    case 'wrong-shape':
      return JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: ['not', 'an', 'object'] });
    case 'deep-nesting':
      return `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":${deeplyNested()}}}`;
  }
}

/** A well-formed subscription notification padded to exactly `bytes` (or its minimum size). */
export function oversizedNotification(channel: string, bytes: number): string {
  return paddedTo(bytes, (padding) => subscriptionNotification(channel, { padding }));
}
