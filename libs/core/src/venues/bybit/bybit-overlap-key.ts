/**
 * Where a rotation's new socket joins the old one's stream, per Bybit public topic (`data` is the
 * whole message, as consumers get it):
 * - `orderbook.{depth}.{symbol}`: `data.u`, the update id (a level-1 re-sent snapshot repeats the
 *   last `u`: the new socket's copy is a repeat and is dropped);
 * - `publicTrade.{symbol}`: the `seq` (cross sequence) of the message's last trade;
 * - `tickers.{symbol}`: `cs`, the cross sequence of the message.
 * Private topics carry no order key across sockets: none (best effort at the first message).
 */
export function bybitOverlapKey(topic: string, message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { data, cs } = message as { data?: unknown; cs?: unknown };
  if (topic.startsWith('orderbook.')) {
    const u = typeof data === 'object' && data !== null ? (data as { u?: unknown }).u : undefined;
    return typeof u === 'number' ? u : undefined;
  }
  if (topic.startsWith('publicTrade.')) {
    if (!Array.isArray(data) || data.length === 0) return undefined;
    const seq = (data[data.length - 1] as { seq?: unknown } | null)?.seq;
    return typeof seq === 'number' ? seq : undefined;
  }
  if (topic.startsWith('tickers.')) return typeof cs === 'number' ? cs : undefined;
  return undefined;
}
