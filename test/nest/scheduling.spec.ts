import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConnectionSupervisorService, ExchangeConnectionModule } from '@exchange-connection/nestjs';
import { FaultProxy, type TestExchange } from '@exchange-connection/testkit';
import { filter, firstValueFrom } from 'rxjs';
import { resourceSnapshot, settleNoResourceGrowth } from '../support/open-handles.js';
import { waitFor } from '../support/wait-for.js';
import { captureLogger, startExchange } from '../supervisor/fixtures.js';
import { connectionConfig } from './nest-fixtures.js';

const JOB_INTERVAL_MS = 100;
const SWEEP_JOB = /^exchange-connection-sweep-/;

/** An app's own scheduled job, as every app with @Interval/@Cron has. */
@Injectable()
class AppJob {
  readonly runs: number[] = [];

  @Interval(JOB_INTERVAL_MS)
  tick(): void {
    this.runs.push(performance.now());
  }
}

describe('ExchangeConnectionModule and the scheduler', () => {
  let exchange: TestExchange;
  let app: TestingModule | undefined;

  beforeEach(async () => {
    exchange = await startExchange();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await exchange.stop();
  });

  it("runs the app's own @Interval job once per interval, and sweeps in the app's SchedulerRegistry", async () => {
    app = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        ExchangeConnectionModule.forRoot({ connections: [connectionConfig('alpha', exchange.url)], logger: captureLogger() }),
      ],
      providers: [AppJob],
    }).compile();
    await app.init();
    const job = app.get(AppJob);
    await waitFor(() => job.runs.length >= 8, { timeoutMs: 10_000, message: 'eight runs of the app job' });
    // A second ScheduleModule.forRoot() (the module's own, before) registered every job twice: the
    // runs came in pairs about 0 ms apart. Node reschedules an interval from the start of its run,
    // so one registration never runs twice within an interval, however busy the machine is.
    const gaps = job.runs.slice(1).map((t, i) => t - (job.runs[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThan(JOB_INTERVAL_MS / 2);
    const intervals = app.get(SchedulerRegistry).getIntervals();
    expect(intervals.filter((name) => SWEEP_JOB.test(name))).toHaveLength(1);
    expect(intervals).toHaveLength(2);
    await app.close();
    expect(
      app
        .get(SchedulerRegistry)
        .getIntervals()
        .filter((name) => SWEEP_JOB.test(name)),
    ).toEqual([]);
    app = undefined;
  });

  it('needs no ScheduleModule: the sweep still finds a half-open link, and closing leaves no timer', async () => {
    const proxy = await FaultProxy.start({ target: { port: exchange.port } });
    const before = resourceSnapshot();
    try {
      const silenceTimeoutMs = 800;
      app = await Test.createTestingModule({
        imports: [
          ExchangeConnectionModule.forRoot({
            // The client's own watchdog is off (connectionConfig): only the supervisor's sweep can notice.
            connections: [connectionConfig('alpha', proxy.url(), { silenceTimeoutMs })],
            sweepIntervalMs: 50,
            logger: captureLogger(),
          }),
        ],
      }).compile();
      await app.init();
      expect(() => app?.get(SchedulerRegistry, { strict: false })).toThrow();
      const alpha = app.get(ConnectionSupervisorService).get('alpha');
      const ticks = alpha.channel$('ticker.BTC-PERPETUAL.100ms').subscribe();
      await alpha.whenReady(5_000);
      const blackHoledAt = Date.now();
      proxy.setBlackHole(true);
      await firstValueFrom(alpha.state$.pipe(filter((s) => s === 'reconnecting')));
      // Silence counts from the last frame before the black hole, so detection ≤ bound + one sweep.
      expect(Date.now() - blackHoledAt).toBeLessThanOrEqual(silenceTimeoutMs * 1.1 + 50);
      expect(alpha.stats().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
      proxy.setBlackHole(false);
      await alpha.whenReady(5_000);
      ticks.unsubscribe();
      await app.close();
      app = undefined;
      expect(alpha.state).toBe('closed');
    } finally {
      await app?.close();
      app = undefined;
      await proxy.stop();
    }
    await exchange.waitFor(() => exchange.connections().length === 0, 2_000);
    await settleNoResourceGrowth(before, { timeoutMs: 3_000 });
  });
});
