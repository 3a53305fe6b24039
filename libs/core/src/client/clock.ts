/**
 * Time source for timers whose timing is asserted (heartbeat deadlines, token refresh, back-off).
 * Injectable so tests drive time by hand instead of sleeping, and stay exact on a loaded machine.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
