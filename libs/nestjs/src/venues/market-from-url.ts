/**
 * The market a venue URL's path names (Bybit `/v5/public/linear`, Binance `/public`), so that
 * `{PREFIX}MARKET` may be left unset when the URL already says it. Undefined when the URL cannot be
 * parsed (its own variable reports that) or no pattern matches.
 */
export function marketFromUrl<M extends string>(url: string, table: ReadonlyArray<readonly [RegExp, M]>): M | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  return table.find(([pattern]) => pattern.test(path))?.[1];
}
