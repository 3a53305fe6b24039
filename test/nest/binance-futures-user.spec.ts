import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConnectionSupervisorService } from '@exchange-connection/nestjs';
import { ExchangeConnectionHealthIndicator, ExchangeConnectionHealthModule } from '@exchange-connection/nestjs/health';
import { BinanceTestExchange } from '@exchange-connection/testkit';
import { firstValueFrom } from 'rxjs';
import { captureLogger } from '../supervisor/fixtures.js';
import { connectionsFromEnv } from './nest-fixtures.js';

describe('a Binance USDⓈ-M user data connection from the environment (BINANCE_URL on /private)', () => {
  let exchange: BinanceTestExchange;
  let app: TestingModule;
  const logger = captureLogger();

  beforeAll(async () => {
    exchange = await BinanceTestExchange.start({ port: 0, seed: 5, feedIntervalMs: 0 });
    const env: Record<string, string> = {
      BINANCE_VENUE: 'binance',
      // The market comes from the path (/private: futures-user-data); the REST base gives the listenKey.
      BINANCE_URL: exchange.urls.usdmPrivate,
      BINANCE_REST_URL: exchange.urls.rest,
      BINANCE_CLIENT_ID: 'test-key',
      BINANCE_CLIENT_SECRET: 'test-secret',
    };
    app = await Test.createTestingModule({
      imports: [connectionsFromEnv(env, ['binance'], logger), ExchangeConnectionHealthModule],
    }).compile();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await exchange?.stop();
  });

  it('gets a listenKey, streams the account’s events on userData, and shows the key nowhere', async () => {
    const binance = app.get(ConnectionSupervisorService).get('binance');
    await binance.whenReady(5_000);
    const event = firstValueFrom(binance.channel$<{ e: string; E: number }>('userData'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    exchange.publishFuturesUserData('test-key', 1);
    expect(await event).toMatchObject({ e: 'ORDER_TRADE_UPDATE', E: expect.any(Number) });
    expect(exchange.counters).toMatchObject({ listenKeysCreated: 1, privateConnections: 1 });
    const response = await fetch(`${exchange.urls.rest}/fapi/v1/listenKey`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': 'test-key' },
    });
    const { listenKey } = (await response.json()) as { listenKey: string };
    const report = JSON.stringify(app.get(ExchangeConnectionHealthIndicator).isHealthy());
    expect(report).toContain('"binance"');
    for (const shown of [report, JSON.stringify(binance.stats()), logger.lines.join('\n')]) {
      expect(shown).not.toContain(listenKey);
      expect(shown).not.toContain('test-secret');
    }
  });
});
