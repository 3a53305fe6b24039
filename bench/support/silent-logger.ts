import type { ClientLogger } from '@exchange-connection/core';

/** Drops every line: a benchmark must not measure console writes. Errors are counted. */
export function silentLogger(): ClientLogger & { errors: number } {
  const logger = {
    errors: 0,
    debug: () => undefined,
    log: () => undefined,
    warn: () => undefined,
    error: () => {
      logger.errors += 1;
    },
  };
  return logger;
}
