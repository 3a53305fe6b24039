import { ConfigurableModuleBuilder, type FactoryProvider } from '@nestjs/common';
import { ConnectionSupervisorService } from '../supervisor/connection-supervisor.service.js';
import type { ExchangeConnectionModuleOptions } from './exchange-connection-options.js';
import { EXCHANGE_CONNECTION_MODULE_OPTIONS, getExchangeConnectionToken } from './exchange-connection.tokens.js';

/**
 * `connectionNames` is an extra (not part of the options) because injection tokens must exist when
 * the module is defined, while forRootAsync only learns its options at bootstrap. forRoot derives it.
 */
export interface ExchangeConnectionModuleExtras {
  isGlobal: boolean;
  connectionNames: string[];
}

export const {
  ConfigurableModuleClass: ExchangeConnectionConfigurableModule,
  OPTIONS_TYPE: EXCHANGE_CONNECTION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: EXCHANGE_CONNECTION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ExchangeConnectionModuleOptions>({
  moduleName: 'ExchangeConnection',
  optionsInjectionToken: EXCHANGE_CONNECTION_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<ExchangeConnectionModuleExtras>({ isGlobal: true, connectionNames: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [...(definition.providers ?? []), ...extras.connectionNames.map(connectionProvider)],
    exports: [...(definition.exports ?? []), ...extras.connectionNames.map(getExchangeConnectionToken)],
  }))
  .build();

function connectionProvider(name: string): FactoryProvider {
  return {
    provide: getExchangeConnectionToken(name),
    inject: [ConnectionSupervisorService],
    // Throws INVALID_CONFIG at startup when the name is not configured, naming the ones that are.
    useFactory: (supervisor: ConnectionSupervisorService) => supervisor.get(name),
  };
}
