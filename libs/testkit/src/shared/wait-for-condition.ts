/**
 * Polls `predicate` until it holds; rejects with the predicate's source after `timeoutMs`. The
 * exchanges offer it as `waitFor` so a test can wait on their counters without a sleep.
 */
export function waitForCondition(owner: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let satisfied = false;
      try {
        satisfied = predicate();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (satisfied) return resolve();
      if (Date.now() >= deadline) {
        const source = predicate.toString().replace(/\s+/g, ' ').slice(0, 200);
        reject(new Error(`${owner}.waitFor timed out after ${timeoutMs} ms waiting for: ${source}`));
        return;
      }
      setTimeout(check, 5);
    };
    check();
  });
}
