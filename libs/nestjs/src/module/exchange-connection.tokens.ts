import { Inject } from '@nestjs/common';

/** The module options provider (set explicitly so services need not import the module definition). */
export const EXCHANGE_CONNECTION_MODULE_OPTIONS = Symbol('ExchangeConnectionModuleOptions');

/** The DI token of one named connection. */
export function getExchangeConnectionToken(name: string): string {
  return `ExchangeConnection:${name}`;
}

/**
 * Every name `@InjectExchangeConnection` has been given in this process. Like the metadata Nest's own
 * decorators leave on classes, it describes code, not an app: it holds no connection or config and
 * only grows. The module reads it to provide, for a name that is injected but not configured, a
 * provider that fails at startup naming the configured connections (exchange-connection.module.ts).
 */
const injectedNames = new Set<string>();

export function injectedConnectionNames(): ReadonlySet<string> {
  return injectedNames;
}

/** Injects the named ExchangeConnection registered by ExchangeConnectionModule. */
export const InjectExchangeConnection = (name: string): PropertyDecorator & ParameterDecorator => {
  injectedNames.add(name);
  return Inject(getExchangeConnectionToken(name));
};
