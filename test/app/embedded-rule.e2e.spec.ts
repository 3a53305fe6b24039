import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { TestExchange } from '@exchange-connection/testkit';
import { type Env, expectConfigError, startApp as start } from './app-from-env.js';
import { StreamTestClient } from './stream-test-client.js';

interface HealthBody {
  status: string;
  info?: { source?: { status: string; testExchange: string[]; warning?: string } };
}

describe('the embedded test exchange runs only when asked (startFromEnv, what `npm start` runs)', () => {
  it('a newcomer with no configuration gets the embedded exchange, a loud line saying so, and /health and the status stream say it too', async () => {
    const lines: string[] = [];
    const started = await start({}, lines);
    try {
      expect(started.source).toEqual({ kind: 'embedded', asked: false, ignored: [] });
      const records = lines.map((l) => JSON.parse(l) as { level: string; message: string });
      expect(records).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 'warn',
            message: expect.stringMatching(
              /^DERIBIT_URL is not set: using the EMBEDDED TEST EXCHANGE at ws:\/\/127\.0\.0\.1:\d+\/.* FAKE prices/,
            ),
          }),
          expect.objectContaining({
            level: 'log',
            message: expect.stringMatching(/^listening: http:\/\/127\.0\.0\.1:\d+\/health/),
          }),
        ]),
      );
      for (const path of ['/health', '/health/ready']) {
        let body: HealthBody | undefined;
        // Ready within a few seconds (the embedded exchange is local).
        for (let i = 0; i < 100 && body?.status !== 'ok'; i += 1) {
          body = (await (await fetch(`${started.httpUrl}${path}`)).json()) as HealthBody;
          if (body.status !== 'ok') await new Promise((r) => setTimeout(r, 50));
        }
        expect(body?.info?.source).toEqual({
          status: 'up',
          testExchange: ['deribit'],
          warning: 'deribit: data from a test exchange (seeded fake prices, not the venue)',
        });
      }
      const page = await StreamTestClient.connect(started.streamUrl);
      const [welcome] = await page.waitFrames((f) => f.type === 'welcome');
      expect(welcome).toMatchObject({ connection: 'deribit', testExchange: true });
      page.send({ type: 'status', id: 1 });
      const [status] = await page.waitFrames((f) => f.type === 'status' && f.id === 1);
      expect(status?.connections).toEqual([expect.objectContaining({ name: 'deribit', testExchange: true })]);
      await page.close();
    } finally {
      await started.app.close();
    }
  });

  it('a copy of .env.example must be told where to connect: blank DERIBIT_URL names itself; with DERIBIT_URL=embedded it starts', async () => {
    const example = parseEnv(readFileSync(resolve(process.cwd(), '.env.example'), 'utf8')) as Record<string, string>;
    expect(example.DERIBIT_URL).toBe('');
    // Port 0 and JSON lines: a test must not take port 3000 or print to the terminal.
    const copied = { ...example, PORT: '0', LOG_FORMAT: 'json' };
    await expectConfigError(
      copied,
      /^DERIBIT_URL is empty: set the venue's ws:\/\/ or wss:\/\/ endpoint, or DERIBIT_URL=embedded/,
    );
    // Every other value it lists is valid.
    const started = await start({ ...copied, DERIBIT_URL: 'embedded' });
    try {
      expect(started.source).toEqual({ kind: 'embedded', asked: true, ignored: [] });
    } finally {
      await started.app.close();
    }
  });

  it('DERIBIT_URL=embedded asks for it quietly; credentials set alongside are named as ignored, never sent to it', async () => {
    const lines: string[] = [];
    const started = await start(
      { DERIBIT_URL: 'embedded', DERIBIT_CLIENT_ID: 'real-key-id', DERIBIT_CLIENT_SECRET: 'real-secret-value-0123456789' },
      lines,
    );
    try {
      expect(started.source).toEqual({ kind: 'embedded', asked: true, ignored: ['DERIBIT_CLIENT_ID', 'DERIBIT_CLIENT_SECRET'] });
      const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
      expect(messages).toContain(
        'DERIBIT_CLIENT_ID, DERIBIT_CLIENT_SECRET ignored: the embedded test exchange has its own random test account',
      );
      expect(messages.some((m) => m.startsWith('DERIBIT_URL=embedded: using the embedded test exchange at'))).toBe(true);
      expect(lines.join('\n')).not.toContain('real-secret-value-0123456789');
    } finally {
      await started.app.close();
    }
  });

  it.each<[string, Env, RegExp]>([
    ['a blank DERIBIT_URL', { DERIBIT_URL: '' }, /^DERIBIT_URL is empty/],
    ['a whitespace DERIBIT_URL', { DERIBIT_URL: '  ' }, /^DERIBIT_URL is empty/],
    [
      'a blank DERIBIT_URL in production with credentials and other bad variables',
      {
        NODE_ENV: 'production',
        DERIBIT_URL: '',
        DERIBIT_CLIENT_ID: 'id',
        DERIBIT_CLIENT_SECRET: 'secret-value-0123456789',
        DERIBIT_HEARTBEAT_INTERVAL_SEC: 'often',
      },
      /^DERIBIT_URL is empty/,
    ],
    ['no DERIBIT_URL in production', { NODE_ENV: 'production' }, /^DERIBIT_URL is required when NODE_ENV=production/],
    [
      'DERIBIT_URL=embedded in production',
      { NODE_ENV: 'production', DERIBIT_URL: 'embedded' },
      /refused when NODE_ENV=production/,
    ],
    [
      'credentials without a URL',
      { DERIBIT_CLIENT_ID: 'id', DERIBIT_CLIENT_SECRET: 'secret-value-0123456789' },
      /^DERIBIT_URL is not set but DERIBIT_CLIENT_ID and DERIBIT_CLIENT_SECRET are/,
    ],
    [
      'a bad variable next to DERIBIT_URL=embedded',
      { DERIBIT_URL: 'embedded', DERIBIT_HEARTBEAT_INTERVAL_SEC: 'often' },
      /DERIBIT_HEARTBEAT_INTERVAL_SEC/,
    ],
    ['a bad variable with no DERIBIT_URL', { DERIBIT_SILENCE_TIMEOUT_MS: 'soon' }, /DERIBIT_SILENCE_TIMEOUT_MS/],
  ])('%s is a config error naming the variable, and starts nothing', async (_name, env, pattern) => {
    await expectConfigError(env, pattern);
  });

  it('a venue URL is used as given: /health says the data is not from a test exchange', async () => {
    const exchange = await TestExchange.start({
      port: 0,
      accounts: [{ clientId: 'venue-id', clientSecret: 'venue-secret-0123456789' }],
    });
    try {
      const started = await start({
        DERIBIT_URL: exchange.url,
        DERIBIT_CLIENT_ID: 'venue-id',
        DERIBIT_CLIENT_SECRET: 'venue-secret-0123456789',
      });
      try {
        expect(started.source).toEqual({ kind: 'venue' });
        const body = (await (await fetch(`${started.httpUrl}/health`)).json()) as HealthBody;
        expect(body.info?.source).toEqual({ status: 'up', testExchange: [] });
      } finally {
        await started.app.close();
      }
    } finally {
      await exchange.stop();
    }
  });
});
