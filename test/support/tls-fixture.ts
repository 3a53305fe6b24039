import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { WebSocketServer } from 'ws';

export interface TlsCertificate {
  /** PEM certificate; also the CA a client must trust (it is self-signed). */
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate valid for localhost, 127.0.0.1 and ::1. */
export async function selfSignedCertificate(): Promise<TlsCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface TlsWsServerOptions {
  /** Reuse a certificate (generation takes tens of ms); default: a fresh one. */
  certificate?: TlsCertificate;
  /** URL path in `url`; the server accepts any path. Default '/ws/api/v2'. */
  path?: string;
  /** Echo every message back; default true. */
  echo?: boolean;
}

export interface TlsWsFixture {
  /** wss://127.0.0.1:<port><path> */
  readonly url: string;
  readonly port: number;
  /** PEM to pass as `ca` to trust the server. */
  readonly ca: string;
  /**
   * The ALPN list each client offered, in handshake order; `[]` for a client that offered none
   * (Node calls ALPNCallback only when the ClientHello carries ALPN).
   */
  readonly offeredAlpn: string[][];
  readonly wss: WebSocketServer;
  close(): Promise<void>;
}

/**
 * An https + `ws` server on 127.0.0.1:0 with a self-signed certificate. It selects 'http/1.1' when a
 * client offers it; a client that offers ALPN without 'http/1.1' (e.g. only 'h2') is refused with
 * the `no_application_protocol` alert, which is how an upgrade breaks when HTTP/2 is negotiated.
 */
export async function startTlsWsServer(options: TlsWsServerOptions = {}): Promise<TlsWsFixture> {
  const certificate = options.certificate ?? (await selfSignedCertificate());
  const offeredAlpn: string[][] = [];
  const server: Server = createServer({
    cert: certificate.cert,
    key: certificate.key,
    ALPNCallback: ({ protocols }) => {
      offeredAlpn.push([...protocols]);
      return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
    },
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === false) offeredAlpn.push([]);
  });
  // Failed handshakes (the client distrusts the certificate) are expected in tests.
  server.on('tlsClientError', () => undefined);
  const wss = new WebSocketServer({ server });
  if (options.echo ?? true) {
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tls fixture: no TCP address');
  const path = options.path ?? '/ws/api/v2';

  let closing: Promise<void> | undefined;
  return {
    url: `wss://127.0.0.1:${address.port}${path}`,
    port: address.port,
    ca: certificate.cert,
    offeredAlpn,
    wss,
    close: () => {
      closing ??= (async () => {
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
