// Runs a TypeScript benchmark without a build step. A benchmark either runs when loaded or exports
// main(): Promise<exit code>.
// Usage: node bench/run.cjs bench/sandbox.bench.ts
'use strict';
const { resolve } = require('node:path');
const { runMain } = require('../scripts/register-ts.cjs');

const file = process.argv[2];
const mod = require(resolve(file));
if (typeof mod.main === 'function') runMain(file, mod);
