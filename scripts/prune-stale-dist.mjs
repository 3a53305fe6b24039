// Run by each package's `prepack` before `tsc -b`: tsc never deletes the output of a source file
// that was moved or removed, so without this a tarball packed from a working tree could ship a
// stale module. Removes dist/X.js, .js.map, .d.ts, .d.ts.map whose src/X.ts is gone; touches
// nothing else, so an up-to-date dist is left as it is (tsc -b then has nothing to do).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const pkg = process.cwd();
const dist = join(pkg, 'dist');
const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

if (existsSync(dist)) {
  for (const file of files(dist)) {
    if (!OUTPUT.test(file)) continue;
    const source = join(pkg, 'src', relative(dist, file).replace(OUTPUT, '.ts'));
    if (!existsSync(source)) {
      rmSync(file);
      console.log(`prune-stale-dist: removed ${relative(pkg, file)} (no ${relative(pkg, source)})`);
    }
  }
}
