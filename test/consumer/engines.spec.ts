/**
 * Issue 10, item 6: `engines` says what the dependencies really need. Every package (and the
 * workspace root) declares one Node range; every runtime dependency a user installs with them
 * (dependencies and peers, transitively, as installed here) must accept every Node in that range,
 * except the ones listed below with the reason each does not matter. The list is checked too: an
 * exception that no longer applies, or names nothing installed, fails the test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { satisfies, subset } from 'semver';
import { ROOT } from './support/commands.js';

const NODE_RANGE = '^20.19.0 || ^22.12.0 || >=24.0.0';

/** Installed runtime dependencies whose `engines.node` does not cover NODE_RANGE, and why that is fine. */
const KNOWN_EXCEPTIONS: Record<string, string> = {
  'file-type':
    '@nestjs/common 12.5 depends on file-type 22, which asks for Node >= 22; Nest loads it lazily, ' +
    'only in FileTypeValidator, which neither these packages nor the example app use. The consumer ' +
    'test runs Nest on the Node 20.20 of the CI machine.',
};

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: the nearest node_modules/<name> from `fromDir` upwards. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

interface Visited {
  manifest: Manifest;
  /** How it was reached, e.g. `@exchange-connection/nestjs > @nestjs/common > file-type`. */
  via: string;
}

/** Every installed package reachable from `rootDir` through dependencies, optional dependencies and peers. */
function runtimeClosure(rootDir: string): Map<string, Visited> {
  const seen = new Map<string, Visited>();
  const root = readManifest(rootDir);
  const queue: { dir: string; via: string }[] = [{ dir: rootDir, via: root.name }];
  while (queue.length > 0) {
    const { dir, via } = queue.shift() as { dir: string; via: string };
    const manifest = readManifest(dir);
    const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies });
    for (const name of names) {
      const found = resolvePackageDir(name, dir);
      // An optional peer or optional dependency that is not installed is not installed by users either.
      if (found === undefined) continue;
      const dependency = readManifest(found);
      const key = `${dependency.name}@${dependency.version}`;
      if (seen.has(key)) continue;
      seen.set(key, { manifest: dependency, via: `${via} > ${dependency.name}` });
      queue.push({ dir: found, via: `${via} > ${dependency.name}` });
    }
  }
  return seen;
}

const PACKAGE_DIRS = ['libs/core', 'libs/nestjs', 'libs/nats', 'libs/testkit'].map((dir) => join(ROOT, dir));

describe('engines', () => {
  it(`every package and the workspace root declare node ${NODE_RANGE}`, () => {
    const declared = [ROOT, ...PACKAGE_DIRS].map((dir) => ({
      name: readManifest(dir).name,
      node: readManifest(dir).engines?.node,
    }));
    expect(declared).toEqual(declared.map(({ name }) => ({ name, node: NODE_RANGE })));
  });

  it('the Node running this suite is inside the range (CI runs what we claim)', () => {
    expect(satisfies(process.version, NODE_RANGE)).toBe(true);
  });

  it('every runtime dependency accepts every Node in the range, but the listed exceptions', () => {
    const violations = new Map<string, string>();
    for (const dir of [...PACKAGE_DIRS, ROOT]) {
      for (const { manifest, via } of runtimeClosure(dir).values()) {
        const node = manifest.engines?.node;
        if (node === undefined || subset(NODE_RANGE, node)) continue;
        if (manifest.name in KNOWN_EXCEPTIONS) continue;
        violations.set(`${manifest.name}@${manifest.version}`, `engines.node ${node} (via ${via})`);
      }
    }
    expect(Object.fromEntries(violations)).toEqual({});
  });

  it('each listed exception is installed and still needs to be listed', () => {
    const found = new Map<string, string>();
    for (const dir of [...PACKAGE_DIRS, ROOT]) {
      for (const { manifest } of runtimeClosure(dir).values()) {
        const node = manifest.engines?.node;
        if (manifest.name in KNOWN_EXCEPTIONS && node !== undefined && !subset(NODE_RANGE, node)) found.set(manifest.name, node);
      }
    }
    expect([...found.keys()].sort()).toEqual(Object.keys(KNOWN_EXCEPTIONS).sort());
  });
});
