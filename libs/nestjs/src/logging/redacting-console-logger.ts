import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { SecretRedactor } from './secret-redactor.js';

export interface RedactingConsoleLoggerOptions extends ConsoleLoggerOptions {
  /** Shared with the connections so the configured secrets are removed from every line. */
  redactor?: SecretRedactor;
  /** Replaces process.stdout/stderr (tests capture lines here). JSON mode only. */
  write?: (line: string, stream: 'stdout' | 'stderr') => void;
}

type JsonOptions = Parameters<ConsoleLogger['printAsJson']>[1];

/**
 * Nest's ConsoleLogger with every message, param and stack passed through a SecretRedactor (Nest's
 * own `redact` option masks keys but prints string messages as they are). In JSON mode
 * (`json: true`) each line is `{"time":ISO,"level","context","message",...fields,"pid"}` with the
 * params flattened to the top level, the same shape JsonLineLogger writes.
 */
export class RedactingConsoleLogger extends ConsoleLogger {
  private readonly secrets: SecretRedactor;
  private readonly sink: RedactingConsoleLoggerOptions['write'];

  constructor(options: RedactingConsoleLoggerOptions = {}) {
    const { redactor, write, ...consoleOptions } = options;
    super({ ...consoleOptions, flattenParams: consoleOptions.flattenParams ?? consoleOptions.json === true });
    this.secrets = redactor ?? new SecretRedactor();
    this.sink = write;
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(
      messages.map((message) => this.redactMessage(message)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? this.secrets.redactText(errorStack) : errorStack,
      params === undefined ? undefined : this.secrets.redact(params),
    );
  }

  protected override getJsonLogObject(message: unknown, options: JsonOptions): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const { timestamp, level, pid, ...rest } = super.getJsonLogObject(message, options);
    // `time` (ISO) first: it is what a reader and `sort` look at; the epoch `timestamp` goes.
    return { time: new Date(timestamp).toISOString(), level, ...rest, pid } as unknown as ReturnType<
      ConsoleLogger['getJsonLogObject']
    >;
  }

  protected override printAsJson(message: unknown, options: JsonOptions): void {
    if (this.sink === undefined) {
      super.printAsJson(message, options);
      return;
    }
    this.sink(this.stringifyJsonLogObject(this.getJsonLogObject(message, options)), options.writeStreamType ?? 'stdout');
  }

  /** Errors stay Errors (Nest serializes them into an `error` field), with message and stack cleaned. */
  private redactMessage(message: unknown): unknown {
    if (!(message instanceof Error)) return this.secrets.redact(message);
    const clean = new Error(this.secrets.redactText(message.message));
    clean.name = message.name;
    clean.stack = message.stack === undefined ? undefined : this.secrets.redactText(message.stack);
    return clean;
  }
}
