/**
 * Puts the fields an operator greps for first, in a fixed order: `connection`, `cycle`,
 * `correlationId` (`<connection>/<cycle>`, filled in when absent) and `layer` (`client` or
 * `supervisor`). Both layers pass them as structured fields — a supervised client is handed its
 * connection's cycle and correlationId as log context — so both layers' lines of one failure and
 * recovery share one correlationId without anything being parsed back out of a name.
 */
export function connectionLogFields(context: Record<string, unknown> | undefined): Record<string, unknown> {
  if (context === undefined) return {};
  const { connection, cycle, correlationId, layer, ...rest } = context;
  const fields: Record<string, unknown> = {};
  if (connection !== undefined) fields.connection = connection;
  if (cycle !== undefined) fields.cycle = cycle;
  if (correlationId !== undefined) fields.correlationId = correlationId;
  else if (typeof connection === 'string' && typeof cycle === 'number') fields.correlationId = `${connection}/${cycle}`;
  if (layer !== undefined) fields.layer = layer;
  return { ...fields, ...rest };
}
