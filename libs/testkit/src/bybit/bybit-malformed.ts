import { BINARY_GARBAGE, deeplyNested, paddedTo, type MalformedKind } from '../shared/malformed-kind.js';
import { topicMessage } from './bybit-envelope.js';

/** A frame a robust Bybit client must survive without dropping the connection or other topics. */
export function bybitMalformedFrame(kind: MalformedKind, topic: string, connId: string): string | Buffer {
  switch (kind) {
    case 'garbage':
      return `{"topic":"${topic}","type":"snapshot","data":`;
    case 'binary':
      return BINARY_GARBAGE;
    case 'unknown-id':
      return JSON.stringify({ success: true, ret_msg: '', conn_id: connId, req_id: '987654321', op: 'subscribe' });
    case 'wrong-shape':
      return JSON.stringify({ topic, type: 'delta', ts: 0, data: 'not-an-object' });
    case 'deep-nesting':
      return `{"topic":"${topic}","type":"snapshot","ts":0,"data":${deeplyNested()}}`;
  }
}

/** A well-formed ticker snapshot of exactly `bytes` (or its minimum size). */
export function bybitOversizedMessage(topic: string, symbol: string, bytes: number): string {
  return paddedTo(bytes, (padding) => topicMessage(topic, { type: 'snapshot', ts: 0, data: { symbol, padding } }));
}
