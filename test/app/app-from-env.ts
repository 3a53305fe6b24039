import { ExchangeConnectionError } from '@exchange-connection/core';
import { type StartedFromEnv, startFromEnv } from '../../apps/market-data/src/start-from-env.js';
import { resourceSnapshot, settleNoResourceGrowth } from '../support/open-handles.js';

export type Env = Record<string, string | undefined>;

/** startFromEnv (what `npm start` runs) with JSON logs captured and port 0. */
export function startApp(env: Env, lines: string[] = []): Promise<StartedFromEnv> {
  return startFromEnv({ PORT: '0', LOG_FORMAT: 'json', ...env }, { logWrite: (line) => lines.push(line) });
}

/** `start()` is refused (INVALID_CONFIG matching `pattern`) before anything started: no exchange, no port, no timer left. */
export async function expectStartRefused(
  start: () => Promise<{ app: { close(): Promise<void> } }>,
  pattern: RegExp,
): Promise<void> {
  const before = resourceSnapshot();
  const error = await start().then(
    async (started) => {
      await started.app.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExchangeConnectionError);
  expect((error as ExchangeConnectionError).code).toBe('INVALID_CONFIG');
  expect((error as Error).message).toMatch(pattern);
  await settleNoResourceGrowth(before, { timeoutMs: 3_000 });
}

/** The environment is refused at startup (INVALID_CONFIG matching `pattern`), leaving nothing running. */
export function expectConfigError(env: Env, pattern: RegExp): Promise<void> {
  return expectStartRefused(() => startApp(env), pattern);
}
