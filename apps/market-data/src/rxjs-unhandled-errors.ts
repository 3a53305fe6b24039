import type { LoggerService } from '@nestjs/common';
import { config } from 'rxjs';
import { LogThrottle, suppressedNote } from './logging/log-throttle.js';
import { printableText } from './logging/printable-text.js';

/**
 * Where RxJS reports what it could not hand to anyone: an error thrown by a subscriber's `next`, or
 * an error on a stream subscribed without an error handler. Left unset, RxJS rethrows it on a timer
 * and Node exits. The app handles its own stream errors; this is the net under a consumer's bug.
 * It is process-wide (RxJS has one `config`), so only an entry point sets it; returns the undo.
 */
export function logUnhandledRxjsErrors(logger: LoggerService, throttle = new LogThrottle()): () => void {
  const previous = config.onUnhandledError;
  config.onUnhandledError = (error: unknown) => {
    const text = printableText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    // A consumer that throws on every tick would otherwise log at the feed's rate.
    const admitted = throttle.admit(text.slice(0, 120));
    if (admitted === undefined) return;
    logger.error(
      `unhandled stream error (a subscriber threw, or a stream had no error handler): ${text}${suppressedNote(admitted)}`,
      'RxJS',
    );
  };
  return () => {
    config.onUnhandledError = previous;
  };
}
