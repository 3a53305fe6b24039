import { SecretRedactor } from '@exchange-connection/nestjs';

/**
 * The process's redactor: the value of every secret-named variable (`*_SECRET`, `*_TOKEN`,
 * `*_PASSWORD`, ...) is removed from every line, so even a secret pasted into the wrong variable
 * and echoed by a validation message never reaches the log.
 */
export function startupRedactor(env: Record<string, string | undefined>): SecretRedactor {
  const redactor = new SecretRedactor();
  for (const [key, value] of Object.entries(env)) if (redactor.isSecretKey(key)) redactor.addSecret(value);
  return redactor;
}
