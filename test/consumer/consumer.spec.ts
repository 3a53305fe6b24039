/**
 * The packages as a user gets them (issue 10, item 5): packed exactly as `npm publish` would pack
 * them, installed into fresh apps OUTSIDE the workspace (their own package.json, packages from the
 * tarballs and the registry, no path mapping), compiled with strict nodenext TypeScript, and run.
 * The apps' programs are the READMEs' own code blocks, extracted here, so a README that stops
 * compiling or working fails this test.
 *
 * Slow by nature (two npm installs, served from npm's cache after the first run): about a minute.
 * It needs the npm registry the first time on a machine; it skips nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, describeResult, ensureBuilt, run, type CommandResult } from './support/commands.js';
import {
  PACKAGE_NAMES,
  compile,
  floorOf,
  npmInstall,
  packWorkspaces,
  readmeProgram,
  reportOf,
  workspaceVersionOf,
  writeConsumerProject,
  type PackedPackage,
} from './support/consumer-project.js';

/** After its report line, a check must end by itself this fast, or something it opened is still open. */
const EXIT_AFTER_REPORT_MS = 5_000;

interface SocketView {
  authenticated: boolean;
  cancelOnDisconnect: boolean;
}
interface ProgramExit {
  code: number | null;
  signal: string | null;
}
interface NestReport {
  error?: string;
  injected?: { name: string };
  ticksBeforeDrop?: number;
  socketsBeforeDrop?: SocketView[];
  ticksAfterRebuild?: number;
  reconnects?: number;
  socketsAfterRebuild?: SocketView[];
  cancelOnDisconnectFirings?: number;
  interval?: { intervalMs: number; runs: number; windowMs: number; minGapMs: number };
  stateAfterClose?: string;
  closeCodeAfterAppClose?: number;
  program?: { tickLines: number; socketsBeforeSignal: number; exit: ProgramExit; exitMs: number; closeCode?: number };
  activeResources?: string[];
}
interface CoreReport {
  error?: string;
  socketsBeforeDrop?: SocketView[];
  socketsAfterRebuild?: SocketView[];
  clientOpens?: number;
  readyLines?: string[];
  exit?: ProgramExit;
  exitMs?: number;
  closeCodesAtExit?: number[];
  lastLines?: string[];
  activeResources?: string[];
}

interface AppRun<R> {
  dir: string;
  install: CommandResult;
  build?: CommandResult;
  check?: CommandResult;
  report?: R;
}

let work: string;
let packed: PackedPackage[] = [];
let tarballs: string[] = [];
let nest: AppRun<NestReport>;
let core: AppRun<CoreReport>;

function pkg(name: (typeof PACKAGE_NAMES)[number]): PackedPackage {
  const found = packed.find((p) => p.name === name);
  if (found === undefined)
    throw new Error(`npm pack wrote no tarball for @exchange-connection/${name} (wrote ${tarballs.join(', ')})`);
  return found;
}

function fileDependency(name: (typeof PACKAGE_NAMES)[number]): string {
  return `file:${pkg(name).tarball}`;
}

/** Each peer of ours at the lowest version our range admits: that claim is what this checks. */
function peerFloors(of: PackedPackage, only?: readonly string[]): Record<string, string> {
  const floors: Record<string, string> = {};
  for (const [name, range] of Object.entries(of.manifest.peerDependencies ?? {})) {
    if (name.startsWith('@exchange-connection/')) continue;
    if (of.manifest.peerDependenciesMeta?.[name]?.optional === true && !only?.includes(name)) continue;
    floors[name] = floorOf(range);
  }
  return floors;
}

const tooling = () => ({ typescript: workspaceVersionOf('typescript'), '@types/node': workspaceVersionOf('@types/node') });

async function runApp<R>(app: AppRun<R>): Promise<void> {
  if (app.install.code !== 0) return;
  app.build = await compile(app.dir);
  if (app.build.code !== 0) return;
  app.check = await run(process.execPath, ['dist/check.js'], {
    cwd: app.dir,
    timeoutMs: 180_000,
    exitAfter: { pattern: /^CONSUMER-REPORT /m, withinMs: EXIT_AFTER_REPORT_MS },
  });
  app.report = reportOf<R>(app.check);
}

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'ec-consumer-'));
  ({ packed, tarballs } = await packWorkspaces(join(work, 'tarballs')));

  const nestjs = pkg('nestjs');
  const schedulePeer = nestjs.manifest.peerDependencies?.['@nestjs/schedule'];
  const nestDir = join(work, 'nest-app');
  writeConsumerProject({
    dir: nestDir,
    name: 'consumer-nest-app',
    dependencies: {
      '@exchange-connection/core': fileDependency('core'),
      '@exchange-connection/nestjs': fileDependency('nestjs'),
      ...peerFloors(pkg('core')),
      ...peerFloors(nestjs, ['@nestjs/schedule']),
      // The app's own scheduler (the README's @Interval job): our floor if we name one, else Nest 12.
      '@nestjs/schedule': schedulePeer === undefined ? '^12.0.0' : floorOf(schedulePeer),
    },
    devDependencies: { '@exchange-connection/testkit': fileDependency('testkit'), ...tooling() },
    sources: readmeProgram(join(ROOT, 'README.md'), 'Use it'),
    fixtures: { 'nest-check.ts': 'src/check.ts', 'program.ts': 'src/program.ts' },
  });

  const coreDir = join(work, 'core-app');
  writeConsumerProject({
    dir: coreDir,
    name: 'consumer-core-app',
    dependencies: { '@exchange-connection/core': fileDependency('core'), ...peerFloors(pkg('core')) },
    devDependencies: { '@exchange-connection/testkit': fileDependency('testkit'), ...tooling() },
    sources: readmeProgram(join(ROOT, 'libs/core/README.md'), 'Use it without Nest'),
    fixtures: { 'core-check.ts': 'src/check.ts', 'program.ts': 'src/program.ts' },
  });

  const [nestInstall, coreInstall] = await Promise.all([npmInstall(nestDir), npmInstall(coreDir)]);
  nest = { dir: nestDir, install: nestInstall };
  core = { dir: coreDir, install: coreInstall };
  // One at a time: each runs its own exchange and program, and the machine has two cores.
  await runApp(nest);
  await runApp(core);
}, 900_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm pack --workspaces', () => {
  it('writes exactly the three tarballs', () => {
    expect(tarballs).toEqual(
      PACKAGE_NAMES.map((name) => expect.stringMatching(new RegExp(`^exchange-connection-${name}-\\d+\\.\\d+\\.\\d+\\.tgz$`))),
    );
  });

  it.each(PACKAGE_NAMES)('%s ships built ESM with declarations and no tests or benchmarks', (name) => {
    const { files } = pkg(name);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/index.d.ts.map']));
    // Outside dist/: only the sources the declaration and source maps point at, and the docs.
    const stray = files.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.(ts|md))$/.test(f),
    );
    expect(stray).toEqual([]);
    expect(files.filter((f) => /\.spec\.|(^|\/)(test|tests|bench|__tests__)\//.test(f))).toEqual([]);
    // Every declaration map leads to a shipped source.
    const sources = new Set(files.filter((f) => f.startsWith('src/')));
    const mapped = files
      .filter((f) => f.endsWith('.d.ts.map'))
      .map((f) => f.replace(/^dist\//, 'src/').replace(/\.d\.ts\.map$/, '.ts'));
    expect(mapped.filter((f) => !sources.has(f))).toEqual([]);
    // No source ships without its build (a stale or excluded file would be dead weight).
    const built = new Set(
      files.filter((f) => f.endsWith('.js')).map((f) => f.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')),
    );
    expect([...sources].filter((f) => f.endsWith('.ts') && !built.has(f))).toEqual([]);
  });
});

describe('each package', () => {
  it.each(PACKAGE_NAMES)('%s ships a README and the MIT LICENSE', (name) => {
    expect(pkg(name).files).toEqual(expect.arrayContaining(['README.md', 'LICENSE']));
  });
});

describe('a fresh Nest app outside the workspace (the root README\'s "Use it" program)', () => {
  it('installs the tarballs with Nest from the registry, without an engines warning about our packages', () => {
    expect(nest.install.code === 0 ? '' : describeResult('npm install', nest.install)).toBe('');
    expect(`${nest.install.stdout}${nest.install.stderr}`).not.toMatch(/EBADENGINE[^\n]*@exchange-connection/);
  });

  it('has exactly one copy of @nestjs/core, and npm ls finds no missing or invalid peer', async () => {
    const copies = await run('npm', ['ls', '@nestjs/core', '--all', '--parseable'], { cwd: nest.dir });
    const paths = new Set(copies.stdout.split('\n').filter((line) => line.includes('node_modules/@nestjs/core')));
    expect([...paths]).toEqual([join(nest.dir, 'node_modules/@nestjs/core')]);
    const tree = await run('npm', ['ls', '--all'], { cwd: nest.dir });
    expect(tree.code === 0 ? '' : describeResult('npm ls --all', tree)).toBe('');
  }, 60_000);

  it('compiles under strict nodenext TypeScript, the packages’ .d.ts included (skipLibCheck off)', () => {
    expect(nest.build?.code === 0 ? '' : describeResult('tsc', nest.build ?? nest.install)).toBe('');
  });

  it('injects the connection by name and receives ticks from the testkit’s exchange', () => {
    expect(nest.report?.error).toBeUndefined();
    expect(nest.report?.injected).toEqual({ name: 'deribit' });
    expect(nest.report?.ticksBeforeDrop).toBeGreaterThanOrEqual(3);
  });

  it('survives a dropped socket: one rebuild, the same stream goes on, cancel-on-disconnect is on again', () => {
    expect(nest.report?.error).toBeUndefined();
    expect(nest.report?.socketsBeforeDrop).toEqual([{ authenticated: true, cancelOnDisconnect: true }]);
    expect(nest.report?.reconnects).toBe(1);
    expect(nest.report?.ticksAfterRebuild).toBeGreaterThanOrEqual(3);
    // The exchange reports it: the new socket has cancel-on-disconnect, and the drop fired it once.
    expect(nest.report?.socketsAfterRebuild).toEqual([{ authenticated: true, cancelOnDisconnect: true }]);
    expect(nest.report?.cancelOnDisconnectFirings).toBe(1);
  });

  // Fails on main until @exchange-connection/nestjs stops importing ScheduleModule.forRoot() itself
  // (issue 10, item 3, on the wp-nest branch): with two schedulers every app job runs twice, i.e.
  // runs come in pairs (minGapMs ≈ 0). It must pass once that branch is merged.
  it('runs the app’s own @Interval job once per interval', () => {
    expect(nest.report?.error).toBeUndefined();
    const interval = nest.report?.interval;
    expect(interval).toBeDefined();
    if (interval === undefined) return;
    // Timers may fire late on a busy machine, never twice: no two runs closer than half the interval.
    expect(interval.minGapMs).toBeGreaterThanOrEqual(interval.intervalMs / 2);
    expect(interval.windowMs).toBeGreaterThanOrEqual((interval.runs - 1) * interval.intervalMs * 0.5);
  });

  it('closes the connection on app.close() and then exits by itself, no handle left', () => {
    expect(exitedByItself(nest.check)).toBe('');
    expect(nest.report?.stateAfterClose).toBe('closed');
    expect(nest.report?.closeCodeAfterAppClose).toBe(1000);
  });

  it('runs the README’s main.ts as a process that a SIGTERM stops within 5 s after closing its socket', () => {
    const program = nest.report?.program;
    expect(nest.report?.error).toBeUndefined();
    expect(program?.tickLines).toBeGreaterThanOrEqual(3);
    expect(program?.socketsBeforeSignal).toBe(1);
    // Nest's shutdown hook closes the app, then re-raises the signal.
    expect([0, 'SIGTERM']).toContain(program?.exit.signal ?? program?.exit.code);
    expect(program?.exitMs).toBeLessThan(5_000);
    expect(program?.closeCode).toBe(1000);
  });
});

describe('a program on @exchange-connection/core alone (libs/core/README.md)', () => {
  it('installs without any Nest package', () => {
    expect(core.install.code === 0 ? '' : describeResult('npm install', core.install)).toBe('');
    expect(existsSync(join(core.dir, 'node_modules/@nestjs'))).toBe(false);
  });

  it('compiles under strict nodenext TypeScript', () => {
    expect(core.build?.code === 0 ? '' : describeResult('tsc', core.build ?? core.install)).toBe('');
  });

  it('streams ticks through a SupervisedConnection and keeps a plain ExchangeClient, both through a dropped socket', () => {
    expect(core.report?.error).toBeUndefined();
    // The supervised socket authenticates and enables cancel-on-disconnect, before and after the rebuild.
    const supervised = (sockets: SocketView[] | undefined) => sockets?.filter((s) => s.authenticated);
    expect(supervised(core.report?.socketsBeforeDrop)).toEqual([{ authenticated: true, cancelOnDisconnect: true }]);
    expect(supervised(core.report?.socketsAfterRebuild)).toEqual([{ authenticated: true, cancelOnDisconnect: true }]);
    // The client reconnected by itself (reconnectOnError: true) and asked again on its new socket.
    expect(core.report?.clientOpens).toBe(2);
    expect(core.report?.readyLines).toHaveLength(2);
  });

  it('has the testkit CLI where the testkit is installed (npx exchange-testkit)', async () => {
    const cli = await run('npx', ['--no', '--', 'exchange-testkit', '--help'], { cwd: core.dir, timeoutMs: 60_000 });
    expect(cli.code === 0 ? '' : describeResult('npx exchange-testkit --help', cli)).toBe('');
    expect(cli.stdout).toContain('--control-port');
  }, 60_000);

  it('closes both sockets on SIGTERM and exits by itself within 5 s, code 0', () => {
    expect(exitedByItself(core.check)).toBe('');
    expect(core.report?.exit).toEqual({ code: 0, signal: null });
    expect(core.report?.exitMs).toBeLessThan(5_000);
    expect(core.report?.closeCodesAtExit).toEqual([1000, 1000]);
  });
});

/** '' when the check printed its report and then ended on its own, with code 0, within EXIT_AFTER_REPORT_MS. */
function exitedByItself(check: CommandResult | undefined): string {
  if (check === undefined) return 'the check did not run (install or compile failed: see those tests)';
  if (check.msAfterMatch === undefined) return describeResult('node dist/check.js printed no report', check);
  if (check.killedAfterMatch)
    return describeResult(
      `node dist/check.js still running ${EXIT_AFTER_REPORT_MS} ms after its report (a handle left open)`,
      check,
    );
  return check.code === 0 ? '' : describeResult('node dist/check.js', check);
}
