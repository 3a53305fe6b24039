import { ExchangeConnectionError } from '@exchange-connection/core';
import { readAppConfig } from './app-config.js';

describe('readAppConfig', () => {
  it('has defaults for everything', () => {
    expect(readAppConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      logLevels: ['fatal', 'error', 'warn', 'log'],
      logFormat: 'text',
    });
  });

  it('reads values and maps LOG_LEVEL to every level at least as severe', () => {
    const config = readAppConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'warn',
      DERIBIT_URL: 'wss://test.deribit.com/ws/api/v2',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      logLevels: ['fatal', 'error', 'warn'],
      logFormat: 'text',
    });
  });

  it('names the bad variable', () => {
    expect(() => readAppConfig({ PORT: 'eighty' })).toThrow(ExchangeConnectionError);
    expect(() => readAppConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readAppConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => readAppConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('logs JSON in production unless LOG_FORMAT says otherwise', () => {
    expect(readAppConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(readAppConfig({ NODE_ENV: 'production', LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(readAppConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });
});
