import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import { resourceSnapshot, settleNoResourceGrowth } from './open-handles.js';
import { selfSignedCertificate, startTlsWsServer, type TlsCertificate } from './tls-fixture.js';
import { waitForEvent } from './wait-for.js';

/** ws passes TLS options through to tls.connect; its types just do not list ALPN. */
type WsClientOptions = WebSocket.ClientOptions & Pick<ConnectionOptions, 'ALPNProtocols'>;
const withAlpn = (options: WsClientOptions): WebSocket.ClientOptions => options;

describe('tls fixture', () => {
  let certificate: TlsCertificate;
  beforeAll(async () => {
    certificate = await selfSignedCertificate();
  });

  it('accepts a ws client that trusts its CA and records the ALPN it offered', async () => {
    const before = resourceSnapshot();
    const fixture = await startTlsWsServer({ certificate });
    try {
      const plain = new WebSocket(fixture.url, { ca: fixture.ca });
      await waitForEvent(plain, 'open', { rejectOn: ['error'] });
      plain.send('ping');
      const [reply] = await waitForEvent<[Buffer]>(plain, 'message');
      expect(reply.toString()).toBe('ping');
      plain.close();
      await waitForEvent(plain, 'close');

      const http1 = new WebSocket(fixture.url, withAlpn({ ca: fixture.ca, ALPNProtocols: ['h2', 'http/1.1'] }));
      await waitForEvent(http1, 'open', { rejectOn: ['error'] });
      const socket = (http1 as unknown as { _socket: { alpnProtocol: string | false } })._socket;
      expect(socket.alpnProtocol).toBe('http/1.1');
      http1.close();
      await waitForEvent(http1, 'close');

      expect(fixture.offeredAlpn).toEqual([[], ['h2', 'http/1.1']]);
    } finally {
      await fixture.close();
    }
    await settleNoResourceGrowth(before);
  });

  it('refuses a client that offers only h2', async () => {
    const fixture = await startTlsWsServer({ certificate });
    try {
      const h2 = new WebSocket(fixture.url, withAlpn({ ca: fixture.ca, ALPNProtocols: ['h2'] }));
      const closed = waitForEvent(h2, 'close');
      const [error] = await waitForEvent<[Error]>(h2, 'error');
      await closed;
      expect(error.message).toMatch(/no application protocol/i);
      expect(fixture.offeredAlpn).toEqual([['h2']]);
    } finally {
      await fixture.close();
    }
  });

  it('fails a client that does not trust the certificate', async () => {
    const fixture = await startTlsWsServer({ certificate });
    try {
      const untrusting = new WebSocket(fixture.url);
      // ws emits 'close' synchronously after 'error', so both waits are armed up front.
      const closed = waitForEvent(untrusting, 'close');
      const [error] = await waitForEvent<[NodeJS.ErrnoException]>(untrusting, 'error');
      expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      await closed;
    } finally {
      await fixture.close();
    }
  });

  it('close() is idempotent', async () => {
    const fixture = await startTlsWsServer({ certificate });
    await Promise.all([fixture.close(), fixture.close()]);
    await fixture.close();
  });
});
