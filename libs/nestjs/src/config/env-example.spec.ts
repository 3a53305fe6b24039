import { readFileSync } from 'node:fs';
import { exchangeConnectionsFromEnv } from './exchange-connections-from-env.js';
import { MODULE_ENV_VARIABLES, REMOVED_ENV_VARIABLES } from './env-variables.js';
import { connectionVariables } from './exchange-connections-from-env.js';
import { BUILT_IN_VENUES, VENUES } from '../venues/venue-registry.js';

/** `NAME=value` lines of .env.example (commented examples such as `# DERIBIT_URL=wss://…` are not settings). */
function exampleSettings(): Map<string, string> {
  const text = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1] as string, match[2] as string);
  }
  return settings;
}

const LIBRARY_VARIABLES = new Map<string, string>([
  ...MODULE_ENV_VARIABLES.map((v): [string, string] => [v.key, v.default]),
  ...connectionVariables('deribit').map((v): [string, string] => [`DERIBIT_${v.key}`, v.default]),
]);

/** The example app's own variable in the library's namespace (it names the connections). */
const APP_VARIABLES = new Set(['EXCHANGE_CONNECTIONS']);

describe('.env.example and the config schema agree', () => {
  const settings = exampleSettings();

  it('lists every variable the library reads, with the default the reader applies', () => {
    const listed = [...LIBRARY_VARIABLES.keys()].map((key) => [key, settings.get(key)]);
    expect(listed).toEqual([...LIBRARY_VARIABLES]);
  });

  it('lists no library variable the reader does not know, and none that was removed', () => {
    const unknown = [...settings.keys()].filter(
      (key) => /^(EXCHANGE|DERIBIT)_/.test(key) && !LIBRARY_VARIABLES.has(key) && !APP_VARIABLES.has(key),
    );
    expect(unknown).toEqual([]);
    expect(Object.keys(REMOVED_ENV_VARIABLES).filter((key) => settings.has(key))).toEqual([]);
  });

  it("mentions every other venue's own variables (as commented examples under that venue's name)", () => {
    const text = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    const missing = BUILT_IN_VENUES.filter((venue) => venue !== 'deribit').flatMap((venue) =>
      [...VENUES[venue].env.map((v) => v.key), 'VENUE', 'URL']
        .map((key) => `${venue.toUpperCase()}_${key}`)
        .filter((name) => !new RegExp(`^# ${name}=`, 'm').test(text)),
    );
    expect(missing).toEqual([]);
  });

  it("the package README's variable table lists the same variables and defaults", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| (?:`([^`]*)`|required|none) \|/gm)];
    expect(rows.map(([, key, value]) => [key, value ?? ''])).toEqual([...LIBRARY_VARIABLES]);
  });

  it('copied as it is (with a URL), it configures exactly what the defaults do', () => {
    const url = 'wss://test.deribit.com/ws/api/v2';
    const copied = Object.fromEntries([...settings].filter(([key]) => LIBRARY_VARIABLES.has(key)));
    expect(exchangeConnectionsFromEnv({ ...copied, DERIBIT_URL: url })).toEqual(exchangeConnectionsFromEnv({ DERIBIT_URL: url }));
  });
});
