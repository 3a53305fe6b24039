import type { LoggerService } from '@nestjs/common';
import { Subject, config } from 'rxjs';
import { waitFor } from '../../../test/support/wait-for.js';
import { logUnhandledRxjsErrors } from './rxjs-unhandled-errors.js';

describe('logUnhandledRxjsErrors', () => {
  it('logs what RxJS could not deliver (once per cause per interval, cleaned) instead of letting Node exit, and undoes itself', async () => {
    const errors: string[] = [];
    const logger: LoggerService = { log: () => undefined, warn: () => undefined, error: (m: unknown) => errors.push(String(m)) };
    const before = config.onUnhandledError;
    const undo = logUnhandledRxjsErrors(logger);
    try {
      const ticks = new Subject<number>();
      // A consumer that throws on every value, and a stream with no error handler.
      ticks.subscribe(() => {
        throw new Error('consumer bug\nforged line');
      });
      for (let i = 0; i < 5; i += 1) ticks.next(i);
      const refused = new Subject<number>();
      refused.subscribe(() => undefined);
      refused.error(new Error('CHANNEL_REFUSED'));
      await waitFor(() => errors.length === 2, { message: 'two causes logged' });
      expect(errors[0]).toBe(
        'unhandled stream error (a subscriber threw, or a stream had no error handler): Error: consumer bug\\nforged line',
      );
      expect(errors[1]).toMatch(/CHANNEL_REFUSED$/);
    } finally {
      undo();
    }
    expect(config.onUnhandledError).toBe(before);
  });
});
