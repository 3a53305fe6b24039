/**
 * Puts the fields an operator greps for first, in a fixed order: `connection`, `cycle` and
 * `correlationId` (`<connection>/<cycle>`). The supervisor passes them itself; the client passes
 * its name `<connection>#<cycle>`, which is split here so both layers' lines of one failure and
 * recovery share one correlationId. `layer` says which of the two wrote the line.
 */
export function connectionLogFields(context: Record<string, unknown> | undefined): Record<string, unknown> {
  if (context === undefined) return {};
  const { connection, cycle, correlationId, ...rest } = context;
  const fromClient = typeof connection === 'string' ? /^(.+)#(\d+)$/.exec(connection) : null;
  if (fromClient) {
    const [, name = '', n = '0'] = fromClient;
    return { connection: name, cycle: Number(n), correlationId: `${name}/${n}`, layer: 'client', ...rest };
  }
  const fields: Record<string, unknown> = {};
  if (connection !== undefined) fields.connection = connection;
  if (cycle !== undefined) fields.cycle = cycle;
  if (correlationId !== undefined) fields.correlationId = correlationId;
  else if (typeof connection === 'string' && typeof cycle === 'number') fields.correlationId = `${connection}/${cycle}`;
  if (connection !== undefined && cycle !== undefined) fields.layer = 'supervisor';
  return { ...fields, ...rest };
}
