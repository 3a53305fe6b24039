import { type ConnectionEvent, type ExchangeConnection, ExchangeConnectionError } from '@exchange-connection/core';
import { ConnectionSupervisorService, getExchangeConnectionToken } from '@exchange-connection/nestjs';
import type { StartedFromEnv } from '../../apps/market-data/src/start-from-env.js';
import { waitFor } from '../support/wait-for.js';
import { expectConfigError, startApp } from './app-from-env.js';
import { sample } from './prometheus-text.js';

/** The embedded Binance exchange cuts every socket this long after it opened (as Binance does at 24 h)... */
const LIFETIME_MS = 4_000;
/** ...and the connection is told to rotate this long before the cut. The core's default would be 400 ms. */
const LEAD_MS = 2_000;

interface RotationsDetail {
  completed: number;
  failed: number;
  abandoned: number;
  forcedChannels: number;
  rotating: boolean;
  lastRotationMs?: number;
}
interface HealthBody {
  details?: { exchange?: { connections?: Record<string, { state: string; reconnects: number; rotations?: RotationsDetail }> } };
}

/**
 * Rotation through the Nest face, in the example app as `npm start` runs it (startFromEnv), over
 * real sockets to the embedded test exchanges: the lead before the venue's cut from the
 * environment, a planned rotation through ConnectionSupervisorService, and both counted in
 * /metrics and /health.
 */
describe('market-data: socket rotation from the environment and the supervisor API, in /metrics and /health', () => {
  let started: StartedFromEnv | undefined;
  const binanceEvents: Array<{ at: number; event: ConnectionEvent }> = [];
  const lines: string[] = [];

  beforeAll(async () => {
    started = await startApp(
      {
        EXCHANGE_CONNECTIONS: 'deribit,binance',
        DERIBIT_URL: 'embedded',
        BINANCE_URL: 'embedded',
        BINANCE_MAX_SOCKET_LIFETIME_MS: String(LIFETIME_MS),
        BINANCE_ROTATION_LEAD_MS: String(LEAD_MS),
      },
      lines,
    );
    const binance = started.app.get<ExchangeConnection>(getExchangeConnectionToken('binance'));
    binance.events$.subscribe((event) => binanceEvents.push({ at: Date.now(), event }));
    await Promise.all(
      ['deribit', 'binance'].map((name) =>
        started!.app.get<ExchangeConnection>(getExchangeConnectionToken(name)).whenReady(10_000),
      ),
    );
  });

  afterAll(async () => {
    await started?.app.close();
  });

  const metrics = async () => (await fetch(`${started!.httpUrl}/metrics`)).text();
  const health = async () => ((await (await fetch(`${started!.httpUrl}/health`)).json()) as HealthBody).details?.exchange;

  it("rotates the Binance socket BINANCE_ROTATION_LEAD_MS before the exchange's cut: no down, no rebuild, counted", async () => {
    const completed = async () =>
      sample(await metrics(), 'exchange_connection_rotations_total', { connection: 'binance', outcome: 'completed' }) ?? 0;
    await waitFor(async () => (await completed()) >= 2, { timeoutMs: 3 * LIFETIME_MS, message: 'two rotations of binance' });

    // The first planned rotation starts LEAD_MS before the first socket's cut: about
    // LIFETIME_MS − LEAD_MS after it opened (just before it was ready), far from the default's
    // LIFETIME_MS − 400 ms.
    const ready = binanceEvents.find((e) => e.event.type === 'ready');
    const first = binanceEvents.find((e) => e.event.type === 'rotation' && e.event.phase === 'started');
    expect(ready).toBeDefined();
    expect(first?.event).toMatchObject({ reason: 'socket lifetime' });
    const after = (first?.at ?? 0) - (ready?.at ?? 0);
    expect(after).toBeGreaterThan(LIFETIME_MS - LEAD_MS - 300);
    expect(after).toBeLessThan(LIFETIME_MS - 700);

    // Rotated ahead of every cut: the exchange never had to close a socket on the connection.
    expect(binanceEvents.filter((e) => e.event.type === 'down')).toEqual([]);
    const text = await metrics();
    const binance = { connection: 'binance' };
    expect(sample(text, 'exchange_connection_reconnects_total', binance)).toBe(0);
    expect(text).not.toMatch(/^exchange_connection_down_total\{connection="binance"/m);
    expect(sample(text, 'exchange_connection_rotations_total', { ...binance, outcome: 'failed' })).toBe(0);
    expect(sample(text, 'exchange_connection_rotation_forced_channels_total', binance)).toBe(0);
    expect(sample(text, 'exchange_connection_rotation_duration_seconds_count', binance)).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'exchange_connection_last_rotation_duration_seconds', binance)).toBeGreaterThan(0);

    const detail = (await health())?.connections?.binance;
    expect(detail?.state).toBe('ready');
    expect(detail?.reconnects).toBe(0);
    expect(detail?.rotations?.completed).toBeGreaterThanOrEqual(2);
    expect(detail?.rotations?.failed).toBe(0);
  });

  it('rotates Deribit on demand through ConnectionSupervisorService.rotate: shown in /metrics and /health', async () => {
    const deribit = { connection: 'deribit' };
    let text = await metrics();
    // Deribit sets no socket lifetime: no planned rotation, and none counted yet.
    expect(sample(text, 'exchange_connection_rotations_total', { ...deribit, outcome: 'completed' })).toBe(0);
    expect(sample(text, 'exchange_connection_rotating', deribit)).toBe(0);
    expect(text).not.toMatch(/^exchange_connection_last_rotation_duration_seconds\{connection="deribit"/m);

    const supervisor = started!.app.get(ConnectionSupervisorService);
    const outcomes = await supervisor.rotate('deribit', 'maintenance');
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'completed', reason: 'maintenance' })]);

    text = await metrics();
    expect(sample(text, 'exchange_connection_rotations_total', { ...deribit, outcome: 'completed' })).toBe(1);
    expect(sample(text, 'exchange_connection_rotations_total', { ...deribit, outcome: 'failed' })).toBe(0);
    expect(sample(text, 'exchange_connection_rotation_duration_seconds_count', deribit)).toBe(1);
    expect(sample(text, 'exchange_connection_last_rotation_duration_seconds', deribit)).toBeCloseTo(
      (outcomes[0]?.durationMs ?? -1) / 1000,
      3,
    );
    // A handover, not a rebuild.
    expect(sample(text, 'exchange_connection_reconnects_total', deribit)).toBe(0);
    expect(sample(text, 'exchange_connection_up', deribit)).toBe(1);

    const detail = (await health())?.connections?.deribit;
    expect(detail?.rotations).toMatchObject({ completed: 1, failed: 0, abandoned: 0, forcedChannels: 0, rotating: false });
    expect(detail?.rotations?.lastRotationMs).toBe(outcomes[0]?.durationMs);
    // Logged under the connection, with the reason given.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          connection: 'deribit',
          message: expect.stringMatching(/^rotation completed in \d+ ms \(maintenance\)$/),
        }),
      ]),
    );
  });

  it('names the connection the supervisor does not know', () => {
    const supervisor = started!.app.get(ConnectionSupervisorService);
    expect(() => supervisor.rotate('bybit')).toThrow(ExchangeConnectionError);
    expect(() => supervisor.rotate('bybit')).toThrow("no exchange connection named 'bybit' (configured: deribit, binance)");
  });
});

describe('market-data: rotation variables checked at startup', () => {
  it('refuses a lead at or above the Binance socket lifetime, naming both variables, before anything starts', async () => {
    await expectConfigError(
      {
        EXCHANGE_CONNECTIONS: 'binance',
        BINANCE_URL: 'embedded',
        BINANCE_MAX_SOCKET_LIFETIME_MS: '3000',
        BINANCE_ROTATION_LEAD_MS: '3000',
      },
      /BINANCE_ROTATION_LEAD_MS must be below the venue's socket lifetime, 3000 ms \(got 3000\); the lifetime is BINANCE_MAX_SOCKET_LIFETIME_MS/,
    );
  });

  it('refuses a lead on Deribit, whose sockets have no lifetime', async () => {
    await expectConfigError(
      { DERIBIT_URL: 'embedded', DERIBIT_ROTATION_LEAD_MS: '60000' },
      /DERIBIT_ROTATION_LEAD_MS needs a venue whose sockets have a lifetime/,
    );
  });
});
