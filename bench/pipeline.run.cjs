// Runs bench/pipeline.bench.ts from sources: .ts compiled in memory by swc (as jest and cli/run.cjs do).
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
require('./pipeline.bench.ts')
  .main()
  .then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(
        `bench:pipeline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
