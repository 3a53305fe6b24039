import { Logger } from '@nestjs/common';
import type { ClientLogger } from '@exchange-connection/core';
import { connectionLogFields } from './connection-log-fields.js';
import type { SecretRedactor } from './secret-redactor.js';

type Level = 'debug' | 'log' | 'warn' | 'error';

/**
 * Wraps any ClientLogger (the default one or a user's) so that nothing reaches it unredacted, and
 * every line carries connection / cycle / correlationId as fields.
 */
export function withRedaction(inner: ClientLogger, redactor: SecretRedactor): ClientLogger {
  const forward = (level: Level) => (message: string, context?: Record<string, unknown>) => {
    // No redaction work for a level the inner logger drops anyway (debug is the busy one).
    if (level === 'debug' && inner.debug === undefined) return;
    const text = redactor.redactText(message);
    const fields = redactor.redact(connectionLogFields(context));
    if (level === 'debug') inner.debug?.(text, fields);
    else inner[level](text, fields);
  };
  return { debug: forward('debug'), log: forward('log'), warn: forward('warn'), error: forward('error') };
}

/**
 * The library's default: Nest's Logger with context `ExchangeConnection`, the fields passed as
 * structured params. Whatever logger the app gave Nest decides the format: a JSON ConsoleLogger
 * (`json: true`, `flattenParams: true`, e.g. RedactingConsoleLogger) prints one JSON object per
 * line with the fields at the top level; the text ConsoleLogger prints them after the message.
 */
export function nestConnectionLogger(context = 'ExchangeConnection'): ClientLogger {
  const logger = new Logger(context);
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    log: (message, fields) => logger.log(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
