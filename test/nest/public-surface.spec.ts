import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as main from '@exchange-connection/nestjs';
import * as health from '@exchange-connection/nestjs/health';
import * as metrics from '@exchange-connection/nestjs/metrics';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../libs/nestjs/src');

/** Every bare package an entry point loads at run time, following its relative imports (type-only ones excluded). */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      const [, typeOnly, specifier = ''] = match;
      if (typeOnly) continue;
      if (specifier.startsWith('.')) {
        const target = join(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (existsSync(target)) visit(target);
      } else {
        packages.add(
          specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier),
        );
      }
    }
    for (const match of text.matchAll(/^import\s+'([^']+)'/gm)) packages.add(match[1] ?? '');
  };
  visit(join(SRC, entry));
  return packages;
}

describe('@exchange-connection/nestjs public surface', () => {
  it('the main entry loads neither @nestjs/terminus nor prom-client (optional peers) nor ScheduleModule', () => {
    const loaded = packagesLoadedBy('index.ts');
    expect(loaded.has('@nestjs/terminus')).toBe(false);
    expect(loaded.has('prom-client')).toBe(false);
    expect([...loaded].sort()).toEqual([
      '@exchange-connection/core',
      '@nestjs/common',
      '@nestjs/schedule',
      'node:buffer',
      'node:crypto',
      'node:fs',
      'zod',
    ]);
    // SchedulerRegistry (a class to inject when the app has one) is all it takes from @nestjs/schedule.
    for (const file of ['module/exchange-connection.module.ts', 'supervisor/connection-supervisor.service.ts']) {
      expect(readFileSync(join(SRC, file), 'utf8')).not.toMatch(/import[^;]*\bScheduleModule\b[^;]*from/);
    }
  });

  it('health and metrics live on their own subpaths', () => {
    expect(packagesLoadedBy('health/index.ts').has('@nestjs/terminus')).toBe(true);
    expect(packagesLoadedBy('metrics/index.ts').has('prom-client')).toBe(true);
    expect(Object.keys(health).sort()).toEqual(['ExchangeConnectionHealthIndicator', 'ExchangeConnectionHealthModule']);
    expect(Object.keys(metrics).sort()).toEqual([
      'CIRCUIT_STATES',
      'CONNECTION_STATES',
      'ConnectionMetrics',
      'ExchangeConnectionMetricsModule',
      'ExchangeConnectionMetricsService',
    ]);
  });

  it('exports a curated list of names (internals such as withRedaction stay inside)', () => {
    expect(Object.keys(main).sort()).toEqual([
      'ConnectionSupervisorService',
      'EnvReader',
      'ExchangeConnectionModule',
      'InjectExchangeConnection',
      'JsonLineLogger',
      'MODULE_DEFAULTS',
      'REDACTED',
      'RedactingConsoleLogger',
      'SecretRedactor',
      'envPrefixFor',
      'exchangeConnectionFromEnv',
      'exchangeConnectionSettingsFromEnv',
      'exchangeConnectionsFromEnv',
      'exchangeModuleSettingsFromEnv',
      'getExchangeConnectionToken',
    ]);
  });
});
