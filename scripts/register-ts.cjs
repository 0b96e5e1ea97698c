// Lets node require this repository's TypeScript without a build step: each .ts file is compiled
// in memory by swc (the compiler jest already uses) with the repository's .swcrc, as it is required.
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

/** Runs a module's exported main(): Promise<exit code>, exiting with its code or 1 on a throw. */
function flushed() {
  const drain = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
  return Promise.all([drain(process.stdout), drain(process.stderr)]);
}

function runMain(label, mod) {
  mod.main().then(
    // Exit only once stdout and stderr are flushed: to a pipe (`grade --json | jq`) writes are
    // asynchronous, and process.exit would cut what is still queued (a report past 64 KiB).
    (code) => flushed().then(() => process.exit(code ?? 0)),
    (error) => {
      // One line: what went wrong and, when the error carries one, its cause (images not built,
      // engine or database unreachable). No stack: these tools are run by operators and teachers.
      const line = (e) => {
        if (!(e instanceof Error)) return String(e);
        // pg reports an unreachable server as an AggregateError without a message of its own.
        if (!e.message && Array.isArray(e.errors) && e.errors.length) return line(e.errors[0]);
        return e.message.split('\n')[0] || e.code || e.name;
      };
      const cause = error instanceof Error && error.cause ? ` (${line(error.cause)})` : '';
      process.stderr.write(`${label}: ${line(error)}${cause}\n`);
      process.exit(1);
    },
  );
}

module.exports = { runMain };
