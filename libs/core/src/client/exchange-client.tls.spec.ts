import { startTlsWsServer, type TlsWsFixture } from '../../../../test/support/tls-fixture.js';
import type { ClientLogger } from './client-types.js';
import { establishConnection } from './establish-connection.js';
import { ExchangeClient } from './exchange-client.js';
import { noJitter } from './jitter.js';

const quiet: ClientLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('ExchangeClient over TLS', () => {
  let server: TlsWsFixture;
  let client: ExchangeClient | undefined;

  beforeAll(async () => {
    server = await startTlsWsServer({ echo: false });
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    server.offeredAlpn.length = 0;
  });

  afterAll(async () => {
    await server.close();
  });

  it('trusts a self-signed server given its CA, offering only http/1.1 over ALPN', async () => {
    client = new ExchangeClient({ url: server.url, tls: { ca: server.ca }, heartbeat: false, logger: quiet });
    await client.connect();
    expect(client.state).toBe('open');
    expect(server.offeredAlpn).toEqual([['http/1.1']]);
  });

  it('refuses a self-signed server without its CA, and does not retry', async () => {
    client = new ExchangeClient({
      url: server.url,
      maxRetries: 5,
      baseDelayMs: 10,
      jitter: noJitter,
      heartbeat: false,
      logger: quiet,
    });
    const reconnecting: number[] = [];
    client.on('reconnecting', (info) => reconnecting.push(info.attempt));
    await expect(client.connect()).rejects.toMatchObject({ code: 'TLS_UNTRUSTED', attempts: 1, systemCode: expect.any(String) });
    expect(reconnecting).toEqual([]);
    expect(server.offeredAlpn).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('establishConnection (seed API) resolves with an open socket, or rejects with attempts', async () => {
    const ws = await establishConnection({ url: server.url, tls: { ca: server.ca } });
    expect(ws.readyState).toBe(ws.OPEN);
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.on('error', () => undefined);
      ws.close();
    });
    await expect(establishConnection({ url: server.url, maxRetries: 3, baseDelayMs: 1 })).rejects.toMatchObject({
      code: 'TLS_UNTRUSTED',
      attempts: 1,
    });
  });
});
