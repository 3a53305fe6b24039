// Deribit documents no hard limit on channels per `subscribe` call (as far as we found in the API
// docs); what it does limit is the call rate (~3.3 subscribe calls/s sustained). Chunks keep single
// frames and responses to a sane size; the chunk size (DERIBIT_DEFAULTS.maxChannelsPerCall) is configurable.

export type SubscriptionAction = 'subscribe' | 'unsubscribe';

export interface SubscriptionCall {
  method: string;
  channels: string[];
}

/**
 * The calls needed for `channels`: de-duplicated, split into public and private (private channels
 * must use `private/…`), each side chunked to at most `maxPerCall`.
 */
export function planSubscriptionCalls(
  action: SubscriptionAction,
  channels: readonly string[],
  isPrivate: (channel: string) => boolean,
  maxPerCall: number,
): SubscriptionCall[] {
  const unique = [...new Set(channels)];
  const sides: Array<[string, string[]]> = [
    [`public/${action}`, unique.filter((c) => !isPrivate(c))],
    [`private/${action}`, unique.filter((c) => isPrivate(c))],
  ];
  const calls: SubscriptionCall[] = [];
  for (const [method, list] of sides) {
    for (let i = 0; i < list.length; i += maxPerCall) {
      calls.push({ method, channels: list.slice(i, i + maxPerCall) });
    }
  }
  return calls;
}

/**
 * Runs the planned calls one after another (the venue rate-limits subscribe calls, so parallel
 * chunks would only trip it) and returns the union of the channels the venue confirmed.
 */
export async function runSubscriptionCalls(
  calls: readonly SubscriptionCall[],
  call: (method: string, params: Record<string, unknown>) => Promise<unknown>,
): Promise<string[]> {
  const confirmed = new Set<string>();
  for (const { method, channels } of calls) {
    const result = await call(method, { channels });
    if (Array.isArray(result)) {
      for (const channel of result) if (typeof channel === 'string') confirmed.add(channel);
    }
  }
  return [...confirmed];
}
