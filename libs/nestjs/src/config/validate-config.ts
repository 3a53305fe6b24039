import { codePathNamer, configError } from './config-issues.js';
import { connectionConfigSchema, moduleOptionsSchema } from './config-schema.js';

/** Checks module options given in code; throws INVALID_CONFIG naming each bad field (`connections[0].url`). */
export function validateModuleOptions(options: unknown): void {
  const result = moduleOptionsSchema.safeParse(options, { reportInput: true });
  if (!result.success) throw configError(result.error.issues, codePathNamer());
}

/** Checks one connection added at run time; the error says which connection. */
export function validateConnectionConfig(config: unknown): void {
  const result = connectionConfigSchema.safeParse(config, { reportInput: true });
  if (result.success) return;
  const name = (config as { name?: unknown } | null | undefined)?.name;
  const which =
    typeof name === 'string' && name.length <= 64 ? `exchange connection ${JSON.stringify(name)}: ` : 'exchange connection: ';
  throw configError(result.error.issues, codePathNamer(), which);
}
