/**
 * Where a rotation's new socket joins the old one's stream, per Deribit channel (the key must grow
 * along the channel, so "the new stream reached what the old one delivered" is a comparison):
 * - `book.{instrument}.{interval}` and the grouped `book.{instrument}.{group}.{depth}.{interval}`:
 *   `change_id`, which grows by message on one instrument's book;
 * - `trades.{instrument}.{interval}`: the `trade_seq` of the message's last trade (per instrument;
 *   the per-currency `trades.{kind}.{currency}.{interval}` mixes instruments, so it has no key);
 * - `ticker.{instrument}.{interval}` for `100ms` and `agg2`: `timestamp` (ms), one message per
 *   interval, so it grows strictly. `raw` tickers can share a millisecond: no key (a rotation
 *   switches them at the new socket's first message, best effort).
 * Every other channel (`user.*`, `platform_state`, ...) has none.
 */
export function deribitOverlapKey(channel: string, data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const dot = channel.indexOf('.');
  const kind = dot < 0 ? channel : channel.slice(0, dot);
  if (kind === 'book') {
    const id = (data as { change_id?: unknown }).change_id;
    return typeof id === 'number' ? id : undefined;
  }
  const parts = channel.split('.');
  if (parts.length !== 3) return undefined;
  if (kind === 'trades') {
    if (!Array.isArray(data) || data.length === 0) return undefined;
    const seq = (data[data.length - 1] as { trade_seq?: unknown } | null)?.trade_seq;
    return typeof seq === 'number' ? seq : undefined;
  }
  if (kind === 'ticker' && parts[2] !== 'raw') {
    const timestamp = (data as { timestamp?: unknown }).timestamp;
    return typeof timestamp === 'number' ? timestamp : undefined;
  }
  return undefined;
}
