import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { minVersion } from 'semver';
import { ROOT, describeResult, run, type CommandResult } from './commands.js';

export type PackageName = 'core' | 'nats' | 'nestjs' | 'testkit';
export const PACKAGE_NAMES: readonly PackageName[] = ['core', 'nats', 'nestjs', 'testkit'];

export interface PackedPackage {
  name: PackageName;
  tarball: string;
  /** The package.json inside the tarball, as a user's npm sees it. */
  manifest: PackageManifest;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
}

export interface PackageManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  engines?: { node?: string };
}

/** `npm pack --workspaces` as a publisher runs it (each prepack builds its package). */
export async function packWorkspaces(destination: string): Promise<{ packed: PackedPackage[]; tarballs: string[] }> {
  mkdirSync(destination, { recursive: true });
  const result = await run('npm', ['pack', '--workspaces', '--pack-destination', destination, '--silent'], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });
  if (result.code !== 0) throw new Error(describeResult('npm pack --workspaces', result));
  const tarballs = readdirSync(destination)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
  const packed: PackedPackage[] = [];
  for (const name of PACKAGE_NAMES) {
    const tarball = tarballs.find((f) => f.startsWith(`exchange-connection-${name}-`));
    if (tarball === undefined) continue;
    const path = join(destination, tarball);
    const listing = await run('tar', ['-tzf', path], { cwd: destination });
    const manifest = await run('tar', ['-xzOf', path, 'package/package.json'], { cwd: destination });
    packed.push({
      name,
      tarball: path,
      manifest: JSON.parse(manifest.stdout) as PackageManifest,
      files: listing.stdout
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => line.replace(/^package\//, '')),
    });
  }
  return { packed, tarballs };
}

/**
 * The fenced TypeScript blocks under `## heading` in a README whose first line names a file
 * (`// src/main.ts`): the README's program, exactly as a reader copies it.
 */
export function readmeProgram(readme: string, heading: string): { path: string; source: string }[] {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`${readme} has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  const files: { path: string; source: string }[] = [];
  for (const match of section.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const source = match[1] ?? '';
    const named = /^\/\/ (src\/[\w./-]+\.ts)\n/.exec(source);
    if (named?.[1] !== undefined) files.push({ path: named[1], source });
  }
  if (files.length === 0) throw new Error(`"## ${heading}" in ${readme} has no \`\`\`ts block starting with // src/<file>.ts`);
  return files;
}

/** The lowest version a range admits: the consumer apps install each peer at the floor we claim. */
export function floorOf(range: string): string {
  const floor = minVersion(range);
  if (floor === null) throw new Error(`no version satisfies ${range}`);
  return floor.version;
}

/** The version installed in the workspace, so the consumer's install is served from npm's cache. */
export function workspaceVersionOf(name: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export interface ConsumerProjectSpec {
  dir: string;
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** Source files by path relative to the project (e.g. src/main.ts). */
  sources: { path: string; source: string }[];
  /** Files copied from test/consumer/fixtures into the project: fixture name → project path. */
  fixtures: Record<string, string>;
}

/**
 * A fresh app as a user starts one: its own package.json (ESM), strict nodenext TypeScript with
 * decorators, no path mapping and no link to the workspace; packages come from the tarballs and
 * the registry only.
 */
export function writeConsumerProject(spec: ConsumerProjectSpec): void {
  mkdirSync(join(spec.dir, 'src'), { recursive: true });
  const manifest = {
    name: spec.name,
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: spec.dependencies,
    devDependencies: spec.devDependencies,
  };
  writeFileSync(join(spec.dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const tsconfig = {
    compilerOptions: {
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noImplicitOverride: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noFallthroughCasesInSwitch: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      // Off on purpose: the packages' own .d.ts files are type-checked as part of this app.
      skipLibCheck: false,
      types: ['node'],
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src/**/*.ts'],
  };
  writeFileSync(join(spec.dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  for (const file of spec.sources) {
    mkdirSync(dirname(join(spec.dir, file.path)), { recursive: true });
    writeFileSync(join(spec.dir, file.path), file.source);
  }
  for (const [fixture, target] of Object.entries(spec.fixtures)) {
    copyFileSync(join(ROOT, 'test/consumer/fixtures', fixture), join(spec.dir, target));
  }
}

/** `npm install` from npm's cache where it can (the versions are the workspace's, or pinned floors). */
export function npmInstall(dir: string): Promise<CommandResult> {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'], {
    cwd: dir,
    timeoutMs: 420_000,
  });
}

export function compile(dir: string): Promise<CommandResult> {
  return run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 300_000 });
}

/** The JSON report a fixture check prints as its line `CONSUMER-REPORT {...}`. */
export function reportOf<T>(result: CommandResult): T | undefined {
  const line = result.stdout.split('\n').find((l) => l.startsWith('CONSUMER-REPORT '));
  return line === undefined ? undefined : (JSON.parse(line.slice('CONSUMER-REPORT '.length)) as T);
}
