import { type DynamicModule, type FactoryProvider, Module, type Provider, Scope } from '@nestjs/common';
import { ExchangeConnectionError } from '@exchange-connection/core';
import { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import type {
  ExchangeConnectionAsyncConfig,
  ExchangeConnectionModuleAsyncOptions,
  ExchangeConnectionModuleOptions,
  ExchangeConnectionModuleRootOptions,
  ExchangeConnectionModuleSettings,
  ExchangeConnectionSettings,
} from './exchange-connection-options.js';
import {
  EXCHANGE_CONNECTION_MODULE_OPTIONS,
  getExchangeConnectionToken,
  injectedConnectionNames,
} from './exchange-connection.tokens.js';

type ModuleImports = NonNullable<DynamicModule['imports']>;

const SETTINGS = Symbol('ExchangeConnectionModuleSettings');
const settingsOf = (name: string) => `ExchangeConnectionSettings:${name}`;

/**
 * Owns every configured connection: one ConnectionSupervisorService connects them on bootstrap,
 * sweeps them on an interval, and closes them on shutdown. Each connection is injectable by its
 * name with `@InjectExchangeConnection(name)`; a name is declared once, in `connections`.
 *
 * Nothing is registered behind the app's back: no ScheduleModule (the supervisor uses the app's
 * SchedulerRegistry when there is one), no TerminusModule or prom-client (the `/health` and
 * `/metrics` subpaths bring those), and the module is global only with `isGlobal: true`.
 */
@Module({})
export class ExchangeConnectionModule {
  static forRoot(options: ExchangeConnectionModuleRootOptions): DynamicModule {
    const { isGlobal, ...moduleOptions } = options;
    const names = (moduleOptions.connections ?? []).map((c) => c.name).filter((n): n is string => typeof n === 'string');
    return assemble(names, isGlobal, [], [{ provide: EXCHANGE_CONNECTION_MODULE_OPTIONS, useValue: moduleOptions }]);
  }

  static forRootAsync(options: ExchangeConnectionModuleAsyncOptions): DynamicModule {
    const connections = options.connections ?? [];
    const names = connections.map((c) => c.name);
    const settings: Provider = options.useFactory
      ? { provide: SETTINGS, inject: options.inject ?? [], useFactory: options.useFactory as FactoryProvider['useFactory'] }
      : { provide: SETTINGS, useValue: {} };
    const perConnection: Provider[] = connections.map((c: ExchangeConnectionAsyncConfig) => ({
      provide: settingsOf(c.name),
      inject: c.inject ?? [],
      useFactory: c.useFactory as FactoryProvider['useFactory'],
    }));
    const assembled: Provider = {
      provide: EXCHANGE_CONNECTION_MODULE_OPTIONS,
      inject: [SETTINGS, ...names.map(settingsOf)],
      // Validation happens in ConnectionSupervisorService, the same for forRoot, forRootAsync and add().
      useFactory: (
        moduleSettings: ExchangeConnectionModuleSettings,
        ...each: ExchangeConnectionSettings[]
      ): ExchangeConnectionModuleOptions => {
        if (moduleSettings !== null && typeof moduleSettings === 'object' && 'connections' in moduleSettings) {
          // The 0.2 shape: names were declared twice (here and in connectionNames). Say so rather than ignore them.
          throw new ExchangeConnectionError(
            'INVALID_CONFIG',
            "forRootAsync's useFactory returns module-wide settings only; declare each connection in `connections: [{ name, useFactory }]`",
          );
        }
        return { ...moduleSettings, connections: each.map((s, i) => ({ ...s, name: names[i] as string })) };
      },
    };
    const imports = [...(options.imports ?? []), ...connections.flatMap((c) => c.imports ?? [])];
    return assemble(names, options.isGlobal, dedupe(imports), [settings, ...perConnection, assembled]);
  }
}

function assemble(
  names: readonly string[],
  isGlobal: boolean | undefined,
  imports: ModuleImports,
  optionProviders: Provider[],
): DynamicModule {
  const configured = new Set(names);
  const connectionProviders = names.map((name) => connectionProvider(name, Scope.DEFAULT));
  // A name injected somewhere in the process but not configured here gets a transient provider:
  // Nest builds it only for a class that injects it, and then it throws INVALID_CONFIG naming the
  // configured connections, at startup. Without it the app would fail with Nest's
  // "can't resolve dependencies" naming only the token.
  const missing = [...injectedConnectionNames()].filter((name) => !configured.has(name));
  const missingProviders = missing.map((name) => connectionProvider(name, Scope.TRANSIENT));
  const tokens = [...names, ...missing].map(getExchangeConnectionToken);
  return {
    module: ExchangeConnectionModule,
    global: isGlobal ?? false,
    imports,
    providers: [...optionProviders, ConnectionSupervisorService, ...connectionProviders, ...missingProviders],
    exports: [ConnectionSupervisorService, ...tokens],
  };
}

function connectionProvider(name: string, scope: Scope): FactoryProvider {
  return {
    provide: getExchangeConnectionToken(name),
    scope,
    inject: [ConnectionSupervisorService],
    // Throws INVALID_CONFIG naming the configured connections when the name is not one of them.
    useFactory: (supervisor: ConnectionSupervisorService) => supervisor.get(name),
  };
}

function dedupe(imports: ModuleImports): ModuleImports {
  return [...new Set(imports)];
}
