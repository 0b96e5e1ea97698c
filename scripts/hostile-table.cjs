// Prints the hostile catalogue's table (case, what contained it, status, time) from the lines the
// cases wrote (test/hostile/hostile-case.ts), and writes it as JSON to bench/results/hostile.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [report, out] = process.argv.slice(2);
const lines = fs.existsSync(report)
  ? fs
      .readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
const width = (key, max) => Math.min(max, Math.max(key.length, ...lines.map((l) => String(l[key]).length)));
const cols = [
  ['case', width('case', 78)],
  ['containedBy', width('containedBy', 60)],
  ['status', width('status', 14)],
];
const cell = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text.padEnd(n));
console.log(`${cols.map(([k, n]) => cell(k, n)).join(' | ')} | time     | result`);
console.log(`${cols.map(([, n]) => '-'.repeat(n)).join('-|-')}-|----------|-------`);
for (const l of lines) {
  const time = `${(l.ms / 1000).toFixed(1)} s`.padStart(8);
  console.log(`${cols.map(([k, n]) => cell(String(l[k]), n)).join(' | ')} | ${time} | ${l.passed ? 'ok' : 'FAILED'}`);
}
const failed = lines.filter((l) => !l.passed).length;
console.log(`hostile: ${lines.length - failed} contained, ${failed} failed`);
if (out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), cases: lines }, null, 2)}\n`);
}
