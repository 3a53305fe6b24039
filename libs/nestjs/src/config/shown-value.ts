/** Longest bad value repeated in a config error; Deribit secrets are 40+ characters. */
const MAX_SHOWN_LENGTH = 16;

/**
 * How a bad config value appears in an error: short values as JSON, long ones only by their length,
 * so a secret pasted into the wrong field or variable never lands in a startup error or a log.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return `a value of type ${value === null ? 'null' : typeof value}`;
  return value.length <= MAX_SHOWN_LENGTH ? JSON.stringify(value) : `a ${value.length}-character value, not shown`;
}
