import { randomBytes } from 'node:crypto';

/** One account's active listenKey and when it lapses. */
interface ActiveKey {
  readonly listenKey: string;
  readonly apiKey: string;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ListenKeyStoreOptions {
  /** How long a key lives after its creation or last keepalive (Binance: 60 minutes). */
  readonly validityMs: () => number;
  readonly now: () => number;
  /** The key lapsed, was closed (DELETE) or was expired by a fault: its streams get `listenKeyExpired`. */
  readonly onExpired: (listenKey: string, apiKey: string) => void;
}

/** 64 letters and digits, the length and alphabet of the venue's keys. */
function newListenKey(): string {
  let key = '';
  while (key.length < 64)
    key += randomBytes(64)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  return key.slice(0, 64);
}

/**
 * The USDⓈ-M listenKeys (USDⓈ-M docs, "User Data Streams"): one active key per account; POST
 * returns it (a new one when there is none) and extends it; PUT extends it (false: none, -1125);
 * DELETE closes it. A key lapses `validityMs` after its last extension. One timer per active key,
 * cleared when the key ends and on `clear()`.
 */
export class ListenKeyStore {
  private readonly byAccount = new Map<string, ActiveKey>();
  private readonly byKey = new Map<string, ActiveKey>();

  constructor(private readonly options: ListenKeyStoreOptions) {}

  /** The account's active key extended, or a new one; `created` says which. */
  create(apiKey: string): { listenKey: string; created: boolean } {
    const active = this.byAccount.get(apiKey);
    if (active !== undefined) {
      this.extend(active);
      return { listenKey: active.listenKey, created: false };
    }
    const listenKey = newListenKey();
    const entry: ActiveKey = { listenKey, apiKey, expiresAt: 0, timer: undefined };
    this.byAccount.set(apiKey, entry);
    this.byKey.set(listenKey, entry);
    this.extend(entry);
    return { listenKey, created: true };
  }

  /** Extends the account's active key; undefined when it has none (the venue answers -1125). */
  keepAlive(apiKey: string): string | undefined {
    const active = this.byAccount.get(apiKey);
    if (active === undefined) return undefined;
    this.extend(active);
    return active.listenKey;
  }

  /** Closes the account's key (its streams get `listenKeyExpired`); false when it had none. */
  delete(apiKey: string): boolean {
    const active = this.byAccount.get(apiKey);
    if (active === undefined) return false;
    this.end(active);
    return true;
  }

  /** Ends keys now (all, or one account's), as if they had lapsed; returns how many. */
  expire(apiKey?: string): number {
    const ending = [...this.byAccount.values()].filter((entry) => apiKey === undefined || entry.apiKey === apiKey);
    for (const entry of ending) this.end(entry);
    return ending.length;
  }

  /** The account a live key belongs to, or undefined for an unknown or ended key. */
  accountOf(listenKey: string): string | undefined {
    return this.byKey.get(listenKey)?.apiKey;
  }

  /** Keys alive now. */
  get size(): number {
    return this.byKey.size;
  }

  /** Drops every key without telling anyone (the exchange is stopping). */
  clear(): void {
    for (const entry of this.byKey.values()) clearTimeout(entry.timer);
    this.byKey.clear();
    this.byAccount.clear();
  }

  private extend(entry: ActiveKey): void {
    clearTimeout(entry.timer);
    const validityMs = this.options.validityMs();
    entry.expiresAt = this.options.now() + validityMs;
    entry.timer = setTimeout(() => this.end(entry), validityMs);
  }

  private end(entry: ActiveKey): void {
    clearTimeout(entry.timer);
    if (this.byKey.get(entry.listenKey) !== entry) return;
    this.byKey.delete(entry.listenKey);
    this.byAccount.delete(entry.apiKey);
    this.options.onExpired(entry.listenKey, entry.apiKey);
  }
}
