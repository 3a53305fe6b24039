/** What replaces a secret in a log line, a status payload or an error shown to an operator. */
export const REDACTED = '[REDACTED]';

/**
 * Key names whose values are secrets, compared after lower-casing and dropping `_`/`-`, and matched
 * as a suffix so `client_secret`, `clientSecret`, `DERIBIT_CLIENT_SECRET` and `refreshToken` all hit.
 */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  'client_secret',
  'clientSecret',
  'secret',
  'signature',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'token',
  'password',
  'authorization',
  'apiKey',
];

/** Registered values shorter than this are ignored: redacting "a" would shred every line. */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 12;

export interface SecretRedactorOptions {
  /** Extra secret key names (added to DEFAULT_SECRET_KEYS). */
  keys?: readonly string[];
  /** Exact secret values (e.g. the configured client secret), removed wherever they appear in strings. */
  secrets?: ReadonlyArray<string | undefined>;
}

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Removes secrets from anything about to be logged or shown: values under secret-looking keys at
 * any depth, `key=value` / `"key":"value"` pairs inside strings (a frame or URL pasted into a
 * message), and every registered secret value wherever it appears. Never mutates its input.
 */
export class SecretRedactor {
  private readonly keys: string[];
  private readonly inText: RegExp;
  private readonly secrets = new Set<string>();
  private secretPattern: RegExp | undefined;

  constructor(options: SecretRedactorOptions = {}) {
    this.keys = [...new Set([...DEFAULT_SECRET_KEYS, ...(options.keys ?? [])].map(normalizeKey))];
    const names = [...new Set([...DEFAULT_SECRET_KEYS, ...(options.keys ?? [])])]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|');
    // `key=value`, `"key":"value"` or `key: "value"` (a bare `key: word` is prose, not a pair);
    // the value runs to the next delimiter.
    // A value already replaced is left alone: `[REDACTED]` stops at its `]`, and replacing the
    // `[REDACTED` before it again printed `[REDACTED]]` (a secret value removed first, then its key).
    this.inText = new RegExp(
      `((?:${names})(?:\\s*=\\s*["']?|["']\\s*:\\s*["']?|\\s*:\\s*["']))(?!${escapeRegExp(REDACTED)})([^"'\\s,;&}\\]]+)`,
      'gi',
    );
    for (const secret of options.secrets ?? []) this.addSecret(secret);
  }

  /** Registers an exact value to remove from every string (ignored when empty or very short). */
  addSecret(value: string | undefined): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.secretPattern = new RegExp(alternatives.join('|'), 'g');
  }

  isSecretKey(key: string): boolean {
    const normalized = normalizeKey(key);
    return normalized.length > 0 && this.keys.some((k) => normalized.endsWith(k));
  }

  redactText(text: string): string {
    let out = this.secretPattern ? text.replace(this.secretPattern, REDACTED) : text;
    out = out.replace(this.inText, (_match, prefix: string) => `${prefix}${REDACTED}`);
    return out;
  }

  /** A redacted copy: strings cleaned, secret keys masked, errors turned into plain objects. */
  redact<T>(value: T): T;
  redact(value: unknown): unknown {
    return this.walk(value, 0, new WeakSet<object>());
  }

  private walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    try {
      if (value instanceof Error) return this.walkError(value, depth, seen);
      if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1, seen));
      if (value instanceof Date) return value;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = this.isSecretKey(key) && item !== undefined && item !== null ? REDACTED : this.walk(item, depth + 1, seen);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }

  private walkError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    const out: Record<string, unknown> = { name: error.name, message: this.redactText(error.message) };
    for (const [key, item] of Object.entries(error)) {
      out[key] = this.isSecretKey(key) ? REDACTED : this.walk(item, depth + 1, seen);
    }
    if (error.stack) out.stack = this.redactText(error.stack);
    if (error.cause !== undefined) out.cause = this.walk(error.cause, depth + 1, seen);
    return out;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
