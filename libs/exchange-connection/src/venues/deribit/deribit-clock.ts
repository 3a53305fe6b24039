/**
 * Time source for the Deribit session (token refresh, rate-limit back-off). Injectable so tests that
 * assert timing can drive it by hand instead of sleeping.
 */
export interface DeribitClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: DeribitClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
