// `npm run lint:packages` (a CI step): packs every workspace package as `npm publish` would (its
// prepack builds it), then checks each tarball with publint --strict and @arethetypeswrong/cli's
// esm-only profile: the package.json fields, exports and .d.ts resolution a user's app will see.
// Local only: both tools read the tarball; nothing is fetched. What the tarballs contain (no
// specs, no benchmarks, .d.ts present) is asserted by test/consumer/packages.spec.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXPECTED = ['core', 'nats', 'nestjs', 'testkit'];
const dest = mkdtempSync(join(tmpdir(), 'ec-packages-'));
const bin = (name) => join('node_modules', '.bin', name);
let failed = false;

function run(label, command, args) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    console.log(`ok   ${label}`);
  } catch (error) {
    failed = true;
    console.log(`FAIL ${label}`);
    process.stdout.write(`${error.stdout ?? ''}${error.stderr ?? ''}\n`);
  }
}

try {
  execFileSync('npm', ['pack', '--workspaces', '--pack-destination', dest, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarballs = readdirSync(dest)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
  const names = tarballs.map((f) => f.replace(/^exchange-connection-([a-z]+)-\d.*\.tgz$/, '$1'));
  if (JSON.stringify(names) !== JSON.stringify(EXPECTED)) {
    failed = true;
    console.log(
      `FAIL npm pack --workspaces wrote ${JSON.stringify(tarballs)}; expected one tarball each of ${EXPECTED.join(', ')}`,
    );
  }
  for (const tarball of tarballs) {
    const path = join(dest, tarball);
    run(`publint --strict ${tarball}`, bin('publint'), ['--strict', path]);
    run(`attw --profile esm-only ${tarball}`, bin('attw'), ['--profile', 'esm-only', '--format', 'table-flipped', path]);
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
