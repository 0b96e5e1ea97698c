// Shared jest settings for the three tiers: swc compiles TypeScript and NestJS 12's ESM packages
// to CommonJS (ts-jest cannot load NestJS 12's ESM).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Generated Prisma code imports './x.js' that exists as './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // .mjs too: preact 11 ships ES modules only.
  transform: { '^.+\\.(m?js|tsx?|jsx)$': ['@swc/jest', { swcrc: true }] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@bull-board|uid|file-type|strtok3|token-types|peek-readable|@tokenizer|preact|preact-render-to-string|htm|jose)/)',
  ],
};
