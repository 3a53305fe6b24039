import type { ConnectionOptions } from 'node:tls';
import type { ClientOptions } from 'ws';
import type { TlsOptions } from './client-types.js';
import { ExchangeConnectionError } from './errors.js';

/** ws passes unknown options through to `tls.connect`, ALPN included; its typings omit it. */
export type SocketOptions = ClientOptions & Pick<ConnectionOptions, 'ALPNProtocols'>;

/**
 * TLS/transport options for one `ws` client socket.
 * `wss:` offers ALPN `http/1.1` only: CDN-fronted venues that negotiate h2 break the WebSocket
 * upgrade. Verification is always on; a private CA is added, never a bypass.
 * `ws:` gets no TLS options. Anything else (or an unparsable URL) is INVALID_CONFIG.
 */
export function buildSocketOptions(url: string, tls?: TlsOptions): SocketOptions {
  const parsed = parseUrl(url);
  if (parsed.protocol === 'ws:') return {};
  if (parsed.protocol === 'wss:') {
    const options: SocketOptions = { ALPNProtocols: ['http/1.1'], rejectUnauthorized: true };
    if (tls?.ca !== undefined) options.ca = tls.ca;
    return options;
  }
  throw new ExchangeConnectionError('INVALID_CONFIG', `url: unsupported scheme "${parsed.protocol}" (use ws: or wss:)`);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    // Never echo the URL: a query string may carry a token.
    throw new ExchangeConnectionError('INVALID_CONFIG', 'url: not a valid URL');
  }
}
