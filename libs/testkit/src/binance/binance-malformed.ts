import { BINARY_GARBAGE, deeplyNested, paddedTo, type MalformedKind } from '../shared/malformed-kind.js';

/** A frame a robust Binance client must survive without dropping the connection or other streams. */
export function binanceMalformedFrame(kind: MalformedKind, stream: string, combined: boolean): string | Buffer {
  switch (kind) {
    case 'garbage':
      return combined ? `{"stream":"${stream}","data":{"e":"trade","E":` : '{"e":"trade","E":';
    case 'binary':
      return BINARY_GARBAGE;
    case 'unknown-id':
      return JSON.stringify({ result: null, id: 987_654_321 });
    case 'wrong-shape':
      return combined ? JSON.stringify({ stream, data: 'not-an-object' }) : JSON.stringify({ e: 'depthUpdate', b: 'not-a-list' });
    case 'deep-nesting':
      return combined ? `{"stream":"${stream}","data":${deeplyNested()}}` : deeplyNested();
  }
}

/** A valid trade event of exactly `bytes` (or its minimum size), framed for the connection. */
export function binanceOversizedFrame(stream: string, symbol: string, bytes: number, combined: boolean): string {
  return paddedTo(bytes, (padding) => {
    const data = { e: 'trade', E: 0, s: symbol, t: 0, p: '0', q: '0', T: 0, m: false, M: true, padding };
    return JSON.stringify(combined ? { stream, data } : data);
  });
}
