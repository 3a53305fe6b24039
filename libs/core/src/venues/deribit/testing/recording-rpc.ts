import type { RequestOptions } from '../../../client/client-types.js';
import type { VenueRpc } from '../../venue-adapter.js';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown> | undefined;
  opts: RequestOptions | undefined;
}

export type RpcHandler = (method: string, params: Record<string, unknown> | undefined) => unknown;

/**
 * A VenueRpc for unit tests of request sequencing: records each call and answers from `handler`
 * (a thrown error or rejected promise becomes the call's rejection). It replaces no socket; the
 * integration specs use the real client against the test exchange.
 */
export class RecordingRpc implements VenueRpc {
  readonly calls: RecordedCall[] = [];

  constructor(public handler: RpcHandler = defaultHandler) {}

  async request<T>(method: string, params?: Record<string, unknown>, opts?: RequestOptions): Promise<T> {
    this.calls.push({ method, params, opts });
    return (await this.handler(method, params)) as T;
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

export function defaultHandler(method: string, params: Record<string, unknown> | undefined): unknown {
  if (method.endsWith('/subscribe') || method.endsWith('/unsubscribe')) return params?.channels ?? [];
  if (method === 'public/auth') {
    return { access_token: 'at', refresh_token: 'rt', expires_in: 900, token_type: 'bearer', scope: 'connection' };
  }
  if (method === 'public/test' || method === 'public/hello') return { version: '2.1.1' };
  return 'ok';
}
