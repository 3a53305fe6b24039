// Diff two .heapsnapshot files by constructor name (count, self size): node heap-diff.mjs A B [top]
import { readFileSync } from 'node:fs';
function byName(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const f = s.snapshot.meta.node_fields;
  const w = f.length;
  const iName = f.indexOf('name'),
    iSize = f.indexOf('self_size'),
    iType = f.indexOf('type');
  const types = s.snapshot.meta.node_types[0];
  const m = new Map();
  for (let i = 0; i < s.nodes.length; i += w) {
    const key = `${types[s.nodes[i + iType]]}:${s.strings[s.nodes[i + iName]].slice(0, 60)}`;
    const e = m.get(key) ?? [0, 0];
    e[0]++;
    e[1] += s.nodes[i + iSize];
    m.set(key, e);
  }
  return m;
}
const a = byName(process.argv[2]),
  b = byName(process.argv[3]);
const rows = [...b.entries()].map(([k, [c, sz]]) => [k, c - (a.get(k)?.[0] ?? 0), sz - (a.get(k)?.[1] ?? 0)]);
rows.sort((x, y) => y[2] - x[2]);
for (const [k, c, sz] of rows.slice(0, Number(process.argv[4] ?? 25)))
  console.log(`${String(sz).padStart(9)} B ${String(c).padStart(7)}  ${k}`);
