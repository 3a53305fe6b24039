import { Inject } from '@nestjs/common';

/** The module options provider (set explicitly so services need not import the module definition). */
export const EXCHANGE_CONNECTION_MODULE_OPTIONS = Symbol('ExchangeConnectionModuleOptions');

/** The DI token of one named connection. */
export function getExchangeConnectionToken(name: string): string {
  return `ExchangeConnection:${name}`;
}

/** Injects the named ExchangeConnection registered by ExchangeConnectionModule. */
export const InjectExchangeConnection = (name: string): PropertyDecorator & ParameterDecorator =>
  Inject(getExchangeConnectionToken(name));
