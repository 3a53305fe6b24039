import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { noJitter } from '@exchange-connection/core';
import { ConnectionSupervisorService } from '@exchange-connection/nestjs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { embeddedConnectionOptions } from '../../apps/market-data/src/embedded/embedded-exchange.js';
import { type StartedFromEnv, startFromEnv } from '../../apps/market-data/src/start-from-env.js';
import { waitFor } from '../support/wait-for.js';
import { useMarketDataApp } from './market-data-testbed.js';

/**
 * The status page in headless Chromium (Debian's, installed by .ci/run). Without it the suite is
 * skipped with a message outside CI, and fails in CI (CI=true).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
/** Held this long in `reconnecting` after the drop, so the page can be seen leaving ready. */
const REBUILD_HOLD_MS = 2_500;
/** TOOLCHAIN.md's flags; playwright adds --headless, --no-sandbox and a fresh temporary profile itself. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    `status page browser test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); in CI this fails`,
  );
}

const describeBrowser = HAVE_CHROMIUM || IN_CI ? describe : describe.skip;

/** Headless Chromium as the probe starts it; in CI a missing Chromium is a failure, not a skip. */
async function launchChromium(): Promise<Browser> {
  if (!HAVE_CHROMIUM)
    throw new Error(`CI=true but no Chromium at ${CHROMIUM}: .ci/run must install it (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
  });
}

/** A page whose console errors and uncaught errors (a CSP violation among them) are collected in `problems`. */
async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

describeBrowser('status page in headless Chromium', () => {
  const testbed = useMarketDataApp({
    exchange: { seed: 9, feedIntervalMs: 100 },
    app: (embedded) => {
      const connections = embeddedConnectionOptions(embedded.exchange.url, embedded.credentials);
      connections.connections[0]!.rebuild = { baseDelayMs: REBUILD_HOLD_MS, maxBackoffMs: REBUILD_HOLD_MS, jitter: noJitter };
      return { connections, logger: false, statusIntervalMs: 250, testExchange: ['deribit'] };
    },
  });
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows ready, turns non-ready when the exchange drops the socket, and back to ready; ticker live; no CSP violation', async () => {
    const { page, problems } = await openPage(browser!);
    const response = await page.goto(`${testbed.httpUrl}/status`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    const row = (field: string) => page.locator(`tr[data-connection="deribit"] td[data-field="${field}"]`);
    const text = async (field: string) => (await row(field).textContent()) ?? '';
    await waitFor(async () => (await text('state')) === 'ready', { timeoutMs: 10_000, message: 'page shows ready' });
    await waitFor(async () => /\d/.test((await page.locator('#t-last').textContent()) ?? ''), {
      timeoutMs: 10_000,
      message: 'ticker price',
    });
    const firstTime = await page.locator('#t-time').textContent();
    // Fake prices are said plainly: a banner and the connection's source cell.
    expect(await page.locator('#source').isVisible()).toBe(true);
    expect(await page.locator('#source').textContent()).toContain('TEST EXCHANGE: deribit');
    expect(await text('source')).toBe('test exchange (fake prices)');
    // The age of the last inbound frame (heartbeats keep it under a second or two).
    await waitFor(async () => /^\d+\.\d s ago$/.test(await text('age')), { timeoutMs: 5_000, message: 'age of the last frame' });
    // The app's channels, live.
    await waitFor(
      async () => {
        const rows = await page.locator('#channels-body tr').allTextContents();
        return (
          rows.some((r) => r.includes('ticker.BTC-PERPETUAL.100ms') && r.includes('live')) &&
          rows.some((r) => r.includes('book.BTC-PERPETUAL.100ms'))
        );
      },
      { timeoutMs: 5_000, message: 'channels table' },
    );

    testbed.exchange.terminateAll();
    const shown = await waitFor(
      async () => {
        const state = await text('state');
        return state !== '' && state !== 'ready' ? state : undefined;
      },
      { timeoutMs: 10_000, message: 'page leaves ready' },
    );
    expect(['reconnecting', 'connecting', 'authenticating', 'restoring']).toContain(shown);
    // Why, while it is down: the last error's code.
    await waitFor(async () => /^[A-Z_]+: /.test(await text('reason')), { timeoutMs: 5_000, message: 'reason shown' });

    await waitFor(async () => (await text('state')) === 'ready', {
      timeoutMs: REBUILD_HOLD_MS + 10_000,
      message: 'page back to ready',
    });
    await waitFor(async () => (await text('reconnects')) === '1', { timeoutMs: 5_000, message: 'reconnects 1' });
    // The ticker resumes after the rebuild.
    await waitFor(async () => (await page.locator('#t-time').textContent()) !== firstTime, {
      timeoutMs: 10_000,
      message: 'ticker moves again',
    });
    // A planned rotation through the supervisor (a handover before maintenance) shows in its cell.
    expect(await text('rotations')).toBe('0 completed, 0 failed, 0 forced');
    const [outcome] = await testbed.app.get(ConnectionSupervisorService).rotate('deribit', 'maintenance');
    expect(outcome?.outcome).toBe('completed');
    await waitFor(async () => (await text('rotations')) === `1 completed, 0 failed, 0 forced; last ${outcome?.durationMs} ms`, {
      timeoutMs: 5_000,
      message: 'rotation shown',
    });
    expect(await text('reconnects')).toBe('1');
    expect(await text('state')).toBe('ready');
    const history = await page.locator('#history li').allTextContents();
    expect(history.some((h) => h.includes('ready -> reconnecting'))).toBe(true);
    expect(history[0]).toContain('-> ready');
    const html = await page.content();
    expect(html).not.toContain(testbed.embedded.credentials.clientSecret);
    expect(problems).toEqual([]);

    const shot = process.env.STATUS_PAGE_SCREENSHOT;
    if (shot) await page.screenshot({ path: resolve(shot), fullPage: true });
    await page.close();
  }, 60_000);
});

describeBrowser('status page in headless Chromium, EXCHANGE_CONNECTIONS=deribit,bybit,binance', () => {
  let browser: Browser | undefined;
  let started: StartedFromEnv | undefined;

  beforeAll(async () => {
    started = await startFromEnv(
      {
        PORT: '0',
        LOG_FORMAT: 'json',
        EXCHANGE_CONNECTIONS: 'deribit,bybit,binance',
        DERIBIT_URL: 'embedded',
        BYBIT_URL: 'embedded',
        BINANCE_URL: 'embedded',
        // The embedded Binance exchange cuts each socket after 3 s; the connection rotates 1.5 s before.
        BINANCE_MAX_SOCKET_LIFETIME_MS: '3000',
        BINANCE_ROTATION_LEAD_MS: '1500',
      },
      { logWrite: () => undefined },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await started?.app.close();
  });

  it('lists every connection with its venue and a live ticker each; no CSP violation', async () => {
    const { page, problems } = await openPage(browser!);
    expect((await page.goto(`${started!.httpUrl}/status`))?.status()).toBe(200);
    const cell = async (connection: string, field: string) =>
      (await page.locator(`tr[data-connection="${connection}"] td[data-field="${field}"]`).textContent()) ?? '';
    const tickerCell = async (connection: string, field: string) =>
      (await page.locator(`tr[data-ticker="${connection}"] td[data-field="${field}"]`).textContent()) ?? '';
    for (const name of ['deribit', 'bybit', 'binance']) {
      await waitFor(async () => (await cell(name, 'state')) === 'ready', { timeoutMs: 10_000, message: `${name} ready` });
      expect(await cell(name, 'venue')).toBe(name);
      expect(await cell(name, 'shards')).toBe('1');
      expect(await cell(name, 'source')).toBe('test exchange (fake prices)');
      await waitFor(async () => /\d/.test(await tickerCell(name, 'k-last')), {
        timeoutMs: 10_000,
        message: `${name} ticker price`,
      });
    }
    expect(await tickerCell('deribit', 'k-instrument')).toBe('BTC-PERPETUAL');
    expect(await tickerCell('bybit', 'k-instrument')).toBe('BTCUSDT');
    expect(await tickerCell('binance', 'k-instrument')).toBe('BTCUSDT');
    expect(await tickerCell('binance', 'k-bid')).toMatch(/\d/);
    // The headline ticker ids belong to the first connection's row.
    expect(await page.locator('#t-last').getAttribute('data-field')).toBe('k-last');
    expect(await page.locator('tr[data-ticker="deribit"] #t-last').count()).toBe(1);
    expect(await page.locator('#source').textContent()).toContain('TEST EXCHANGE: deribit, bybit, binance');
    // Binance rotates ahead of the test exchange's cut (from its variables); the others do not rotate.
    await waitFor(async () => /^[1-9]\d* completed, 0 failed, 0 forced; last \d+ ms/.test(await cell('binance', 'rotations')), {
      timeoutMs: 10_000,
      message: 'binance rotations shown',
    });
    expect(await cell('binance', 'reconnects')).toBe('0');
    expect(await cell('deribit', 'rotations')).toBe('0 completed, 0 failed, 0 forced');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
