import type { ExchangeConnectionConfig } from '../module/exchange-connection-options.js';
import type { SecretRedactor } from './secret-redactor.js';

/** Registers every secret a connection's config holds, so its exact value is removed from any line. */
export function registerConfigSecrets(redactor: SecretRedactor, config: ExchangeConnectionConfig): void {
  redactor.addSecret(config.session?.credentials?.clientSecret);
  try {
    const url = new URL(config.url);
    if (url.password) {
      redactor.addSecret(url.password);
      redactor.addSecret(decodeURIComponent(url.password));
    }
  } catch {
    // An invalid URL is reported by config validation, without echoing it.
  }
}
