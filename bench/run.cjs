// Runs a TypeScript benchmark without a build step: compiles each required .ts file with
// @swc/core (already a dev dependency for jest) using the repository's .swcrc.
// Usage: node bench/run.cjs bench/sandbox.bench.ts
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const swc = require('@swc/core');

const swcrc = JSON.parse(readFileSync(join(__dirname, '..', '.swcrc'), 'utf8'));
delete swcrc.$schema;
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    ...swcrc,
    filename,
    swcrc: false,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
require(resolve(process.argv[2]));
