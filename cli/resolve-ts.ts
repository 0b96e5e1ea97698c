import { existsSync } from 'node:fs';
import Module from 'node:module';
import { dirname, resolve } from 'node:path';

/**
 * The generated Prisma client imports './x.js' files that exist as './x.ts'. Command-line tools run
 * from sources (cli/run.cjs, no build step), so map such requests to the TypeScript file, as jest's
 * moduleNameMapper does. Imported first by tools that load the Prisma client.
 */
type Resolve = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
mod._resolveFilename = function (this: unknown, request, parent, ...rest) {
  if (request.startsWith('.') && request.endsWith('.js') && parent?.filename) {
    const candidate = `${request.slice(0, -3)}.ts`;
    if (existsSync(resolve(dirname(parent.filename), candidate)))
      return original.call(this, candidate, parent, ...rest);
  }
  return original.call(this, request, parent, ...rest);
};
