import type { ModuleRef } from '@nestjs/core';
import { ExchangeConnectionError } from '@exchange-connection/core';
import { ConnectionSupervisorService } from './connection-supervisor.service.js';
import type { ManagedExchangeConnection } from '../module/connection-coordination.js';

/**
 * Every ConnectionSupervisorService of this app, wherever its module sits (the add-on modules for
 * health and metrics see the connections without the app making ExchangeConnectionModule global).
 * Fails naming what is missing, so an add-on imported without the main module stops the startup.
 */
export function findSupervisors(moduleRef: ModuleRef, who: string): ConnectionSupervisorService[] {
  let found: ConnectionSupervisorService[] = [];
  try {
    found = moduleRef.get(ConnectionSupervisorService, { strict: false, each: true });
  } catch {
    // Not registered anywhere: reported below.
  }
  if (found.length === 0) {
    throw new ExchangeConnectionError(
      'INVALID_CONFIG',
      `${who} needs ExchangeConnectionModule.forRoot() or forRootAsync() in the same app`,
    );
  }
  return found;
}

/** The connections of several supervisors as one list, in registration order. */
export function connectionsOf(supervisors: readonly ConnectionSupervisorService[]): ManagedExchangeConnection[] {
  return supervisors.flatMap((s) => s.list());
}
