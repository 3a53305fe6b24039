import type { ClientLogger } from '@exchange-connection/core';
import { connectionLogFields } from './connection-log-fields.js';
import { SecretRedactor } from './secret-redactor.js';

export type JsonLogLevel = 'debug' | 'log' | 'warn' | 'error';

export interface JsonLineLoggerOptions {
  /** Where each line goes (default: process.stdout, error lines to stderr). */
  write?: (line: string, level: JsonLogLevel) => void;
  /** The `context` field (default 'ExchangeConnection'). */
  context?: string;
  /** Levels written (default log, warn, error). */
  levels?: readonly JsonLogLevel[];
  redactor?: SecretRedactor;
  now?: () => number;
}

/**
 * A ClientLogger that writes one JSON object per line without Nest: `time`, `level`, `context`,
 * `message`, then connection / cycle / correlationId and the caller's fields. The same shape as
 * RedactingConsoleLogger in JSON mode, so a log pipeline sees one format.
 */
export class JsonLineLogger implements ClientLogger {
  private readonly write: (line: string, level: JsonLogLevel) => void;
  private readonly context: string;
  private readonly levels: ReadonlySet<JsonLogLevel>;
  private readonly redactor: SecretRedactor;
  private readonly now: () => number;

  constructor(options: JsonLineLoggerOptions = {}) {
    this.write = options.write ?? ((line, level) => (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`));
    this.context = options.context ?? 'ExchangeConnection';
    this.levels = new Set(options.levels ?? ['log', 'warn', 'error']);
    this.redactor = options.redactor ?? new SecretRedactor();
    this.now = options.now ?? Date.now;
  }

  debug(message: string, context?: Record<string, unknown>): void {
    this.emit('debug', message, context);
  }

  log(message: string, context?: Record<string, unknown>): void {
    this.emit('log', message, context);
  }

  warn(message: string, context?: Record<string, unknown>): void {
    this.emit('warn', message, context);
  }

  error(message: string, context?: Record<string, unknown>): void {
    this.emit('error', message, context);
  }

  private emit(level: JsonLogLevel, message: string, context?: Record<string, unknown>): void {
    if (!this.levels.has(level)) return;
    const fields = this.redactor.redact(connectionLogFields(context));
    const record: Record<string, unknown> = {
      time: new Date(this.now()).toISOString(),
      level,
      context: this.context,
      message: this.redactor.redactText(message),
    };
    // The record's own fields win: a context field named `level` must not change the severity.
    for (const [key, value] of Object.entries(fields)) if (!(key in record)) record[key] = value;
    this.write(JSON.stringify(record), level);
  }
}
