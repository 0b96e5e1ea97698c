// Runs a TypeScript command-line tool of this repository without a build step: .ts files are
// compiled in memory by swc (the compiler jest already uses) as they are required.
// Usage: node cli/run.cjs <tool> [args…]   (tool = a file name in cli/, without .ts)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.swcrc'), 'utf8'));
delete swcrc.$schema;
Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcrc,
    filename,
    swcrc: false,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
process.setSourceMapsEnabled?.(true);

const tool = process.argv[2];
if (!tool || !/^[a-z][a-z0-9-]*$/.test(tool) || !fs.existsSync(path.join(__dirname, `${tool}.ts`))) {
  process.stderr.write(`usage: node cli/run.cjs <tool> [args…]; no tool "${tool ?? ''}" in cli/\n`);
  process.exit(2);
}
process.argv.splice(2, 1);
// Each tool exports main(): Promise<exit code>.
require(path.join(__dirname, `${tool}.ts`))
  .main()
  .then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${tool}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
