// Runs a TypeScript command-line tool of this repository without a build step.
// Usage: node cli/run.cjs <tool> [args…]   (tool = a file name in cli/, without .ts)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runMain } = require('../scripts/register-ts.cjs');

const tool = process.argv[2];
if (!tool || !/^[a-z][a-z0-9-]*$/.test(tool) || !fs.existsSync(path.join(__dirname, `${tool}.ts`))) {
  process.stderr.write(`usage: node cli/run.cjs <tool> [args…]; no tool "${tool ?? ''}" in cli/\n`);
  process.exit(2);
}
process.argv.splice(2, 1);
// Each tool exports main(): Promise<exit code>.
runMain(tool, require(path.join(__dirname, `${tool}.ts`)));
