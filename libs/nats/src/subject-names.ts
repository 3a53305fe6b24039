import { Buffer } from 'node:buffer';
/**
 * NATS subjects are dot-separated tokens; `*`, `>`, whitespace and `.` itself cannot appear inside
 * one. Venue channel names are full of dots (`book.BTC-PERPETUAL.none.10.100ms`), so each name is
 * written as ONE token: letters, digits, `-` and `_` stay as they are (readable in `nats sub`),
 * every other UTF-8 byte becomes `~XX` (upper-case hex). The encoding is reversible and injective,
 * so two channels never share a subject.
 */
export function encodeSubjectToken(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of `encodeSubjectToken`; undefined for a token it cannot have written. */
export function decodeSubjectToken(token: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token[i] as string;
    if (c === '~') {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (/[A-Za-z0-9_-]/.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Every subject one coordinated connection uses, under `<prefix>.<connection>`. */
export interface ConnectionSubjects {
  /** Prefix of every channel subject: `<prefix>.<connection>.ch.<channel>`. */
  readonly channelPrefix: string;
  channel(channel: string): string;
  /** Standbys' wanted channels (periodic and on change). */
  readonly interest: string;
  /** Control messages to the owner (snapshot requests). */
  readonly control: string;
  /** The owner's announcements: acquired, state changes, released. */
  readonly owner: string;
  /** Requests relayed to the owner of one epoch: only that owner answers. */
  rpc(epoch: number): string;
}

export function connectionSubjects(prefix: string, connection: string): ConnectionSubjects {
  const base = `${prefix}.${encodeSubjectToken(connection)}`;
  return {
    channelPrefix: `${base}.ch`,
    channel: (channel) => `${base}.ch.${encodeSubjectToken(channel)}`,
    interest: `${base}.interest`,
    control: `${base}.control`,
    owner: `${base}.owner`,
    rpc: (epoch) => `${base}.rpc.${epoch}`,
  };
}

/** A KV key for the connection's lease (KV keys allow `[-/_=.a-zA-Z0-9]`; the token alphabet fits after `~`→`=`). */
export function leaseKey(connection: string): string {
  return encodeSubjectToken(connection).replaceAll('~', '=');
}

/** Prefixes and bucket names: one or more tokens of `[A-Za-z0-9_-]`. */
export function isSafeSubjectPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix);
}
