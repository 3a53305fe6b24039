import type { ClientLogger } from '@exchange-connection/core';
import type { ConnectionEvent } from '@exchange-connection/core';

/**
 * Log lines for the connection events the supervisor does not log itself: state changes (debug),
 * a scheduled rebuild (warn, with attempt and delay), and circuit changes (open = error). `down`,
 * `ready`, `gap` and refused channels are logged where they happen.
 */
export function logConnectionEvent(logger: ClientLogger, event: ConnectionEvent): void {
  const base = {
    connection: event.connection,
    cycle: event.cycle,
    correlationId: `${event.connection}/${event.cycle}`,
    layer: 'supervisor',
  };
  switch (event.type) {
    case 'state':
      logger.debug?.(`state ${event.from} -> ${event.to}${event.reason ? ` (${event.reason})` : ''}`, {
        ...base,
        event: 'state',
        from: event.from,
        to: event.to,
        reason: event.reason,
      });
      return;
    case 'rebuild-scheduled':
      logger.warn(`rebuild scheduled in ${event.delayMs} ms (attempt ${event.attempt})`, {
        ...base,
        event: 'rebuild-scheduled',
        attempt: event.attempt,
        delayMs: event.delayMs,
      });
      return;
    case 'circuit': {
      const fields = { ...base, event: 'circuit', circuit: event.circuit, reason: event.reason };
      const message = `circuit ${event.circuit}${event.reason ? ` (${event.reason})` : ''}`;
      if (event.circuit === 'open') logger.error(message, fields);
      else if (event.circuit === 'half-open') logger.warn(message, fields);
      else logger.log(message, fields);
      return;
    }
    default:
      return;
  }
}
