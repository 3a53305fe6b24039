/** Active libuv resources by type (`process.getActiveResourcesInfo()`), for leak checks. */
export type ResourceCounts = Record<string, number>;

export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Per type, after − before (only types whose count changed). */
export function resourceDelta(before: ResourceCounts, after: ResourceCounts): ResourceCounts {
  const delta: ResourceCounts = {};
  for (const type of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[type] ?? 0) - (before[type] ?? 0);
    if (d !== 0) delta[type] = d;
  }
  return delta;
}
