import { ExchangeConnectionError } from '@exchange-connection/core';
import type { z } from 'zod';
import { SecretRedactor } from '../logging/secret-redactor.js';
import type { RelationParams } from './config-schema.js';
import { shownValue } from './shown-value.js';

/**
 * The caller's name for a field: `connections[0].silenceTimeoutMs` for code, the variable
 * (`DERIBIT_SILENCE_TIMEOUT_MS`) for the environment; undefined when it has none.
 */
export type FieldNamer = (path: readonly PropertyKey[]) => string | undefined;

type Issue = z.core.$ZodIssue;

/** The most problems one startup error lists; the rest are counted. */
const MAX_LISTED = 8;

/** Names secret fields (clientSecret, …) so that their values are never repeated. */
const secretKeys = new SecretRedactor();

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  function: 'a function',
};

/** Code config: the path as a TypeScript reader would write it, under an optional root. */
export function codePathNamer(root: readonly PropertyKey[] = []): FieldNamer {
  return (path) => formatPath([...root, ...path]) || 'options';
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out === '' ? String(key) : `${out}.${String(key)}`;
  }, '');
}

/** One INVALID_CONFIG error listing every problem found, each naming its field or variable. */
export function configError(found: readonly Issue[], nameOf: FieldNamer, prefix = ''): ExchangeConnectionError {
  const issues = flattenIssues(found);
  const lines = issues.slice(0, MAX_LISTED).map((issue) => describeIssue(issue, nameOf));
  if (issues.length > MAX_LISTED) lines.push(`and ${issues.length - MAX_LISTED} more`);
  return new ExchangeConnectionError('INVALID_CONFIG', `${prefix}${lines.join('; ')}`);
}

export function describeIssue(issue: Issue, nameOf: FieldNamer): string {
  const name = nameOf(issue.path) ?? formatPath(issue.path);
  return `${name} ${issueText(issue, nameOf)}`;
}

/** The issues to report, a union's replaced by its nearest branch's where one is clear. */
export function flattenIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap(nearestMatch);
}

/**
 * A union's own message ("must be true, false or { scope }") hides a precise one when the input
 * clearly meant one branch (an object with a bad `scope`): then that branch's issues are reported.
 */
function nearestMatch(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  // A branch that got past the input's type (a nested problem, or a rule other than the type) is the one meant.
  const nested = issue.errors.filter((branch) => branch.some((i) => i.path.length > 0));
  const typed = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  const meant = nested.length === 1 ? nested : typed.length === 1 ? typed : [];
  if (meant.length !== 1) return [issue];
  return (meant[0] ?? []).flatMap((inner) => nearestMatch({ ...inner, path: [...issue.path, ...inner.path] } as Issue));
}

function issueText(issue: Issue, nameOf: FieldNamer): string {
  const got = gotText(issue);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}${got}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} characters`;
      return `must be ${issue.inclusive === false ? '>' : '>='} ${issue.minimum}${got}`;
    case 'too_big':
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      return `must be ${issue.inclusive === false ? '<' : '<='} ${issue.maximum}${got}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return `must be one of ${issue.values.map(String).join(', ')}${got}`;
    case 'custom':
      return relationText(issue.message, (issue.params ?? {}) as RelationParams, issue.path, nameOf);
    default:
      return issue.message;
  }
}

/** `{other}` and `{hint}` become the names of fields of the object that declared the relation. */
function relationText(message: string, params: RelationParams, path: readonly PropertyKey[], nameOf: FieldNamer): string {
  const owner = path.slice(0, path.length - (params.depth ?? 1));
  const nameOfField = (relative: PropertyKey[] | undefined) => (relative ? nameOf([...owner, ...relative]) : undefined);
  let text = message.replace('{other}', nameOfField(params.other) ?? formatPath(params.other ?? []));
  const hintName = nameOfField(params.hintPath);
  if (params.hint !== undefined && hintName !== undefined) text += `; ${params.hint.replace('{hint}', hintName)}`;
  return text;
}

function gotText(issue: Issue): string {
  const key = issue.path[issue.path.length - 1];
  if (issue.input === undefined || (typeof key === 'string' && secretKeys.isSecretKey(key))) return '';
  return ` (got ${shownValue(issue.input)})`;
}
