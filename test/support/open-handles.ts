/** Count of active libuv resources by type, as `process.getActiveResourcesInfo()` names them. */
export type ResourceCounts = Readonly<Record<string, number>>;

export interface ResourceGrowthOptions {
  /** Growth tolerated per type, e.g. `{ Timeout: 1 }`. */
  allow?: Readonly<Record<string, number>>;
  /** Types never compared; defaults to DEFAULT_IGNORED_RESOURCES. */
  ignore?: readonly string[];
}

/**
 * File-system requests and terminal writes come and go with Jest's own reporting and module
 * loading, so they say nothing about the code under test.
 */
export const DEFAULT_IGNORED_RESOURCES: readonly string[] = ['FSReqCallback', 'FSReqPromise', 'FileHandle', 'TTYWrap'];

export class ResourceLeakError extends Error {
  override readonly name = 'ResourceLeakError';
  constructor(
    readonly growth: ResourceCounts,
    detail = '',
  ) {
    super(`Leaked resources${detail}: ${describe(growth)}`);
  }
}

export function resourceSnapshot(): ResourceCounts {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Per type, how many more resources `after` holds than `before` (plus what is allowed); only growth. */
export function resourceGrowth(
  before: ResourceCounts,
  after: ResourceCounts,
  options: ResourceGrowthOptions = {},
): ResourceCounts {
  const ignore = new Set(options.ignore ?? DEFAULT_IGNORED_RESOURCES);
  const growth: Record<string, number> = {};
  for (const [type, count] of Object.entries(after)) {
    if (ignore.has(type)) continue;
    const extra = count - (before[type] ?? 0) - (options.allow?.[type] ?? 0);
    if (extra > 0) growth[type] = extra;
  }
  return growth;
}

/** Throws ResourceLeakError naming each type that grew. */
export function expectNoResourceGrowth(
  before: ResourceCounts,
  after: ResourceCounts = resourceSnapshot(),
  options: ResourceGrowthOptions = {},
): void {
  const growth = resourceGrowth(before, after, options);
  if (Object.keys(growth).length > 0) throw new ResourceLeakError(growth);
}

/**
 * Closing a socket or server finishes on a later tick, so a check right after `await close()` can
 * see it still active. This polls until nothing grew, and throws ResourceLeakError if something
 * still has after `timeoutMs`. Its own timer is gone by the time each snapshot is taken.
 */
export async function settleNoResourceGrowth(
  before: ResourceCounts,
  options: ResourceGrowthOptions & { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    const growth = resourceGrowth(before, resourceSnapshot(), options);
    if (Object.keys(growth).length === 0) return;
    if (performance.now() >= deadline) {
      throw new ResourceLeakError(growth, ` still open after ${options.timeoutMs ?? 2000} ms`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
}

function describe(counts: ResourceCounts): string {
  return Object.entries(counts)
    .map(([type, count]) => `${type} +${count}`)
    .join(', ');
}

/**
 * A snapshot taken once the counts stop moving (same for three polls 10 ms apart, at most
 * `timeoutMs`): handles that an earlier test file in the same Jest worker is still closing would
 * otherwise vanish between `before` and `after` and hide a growth.
 */
export async function stableResourceSnapshot(timeoutMs = 1_000): Promise<ResourceCounts> {
  const deadline = Date.now() + timeoutMs;
  let last = resourceSnapshot();
  let steady = 0;
  while (steady < 3 && Date.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    const next = resourceSnapshot();
    steady = JSON.stringify(next) === JSON.stringify(last) ? steady + 1 : 0;
    last = next;
  }
  return last;
}
