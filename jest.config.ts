import type { Config } from 'jest';

/** Shared jest settings: swc compiles TypeScript and NestJS 12's ESM packages to CommonJS. */
export const baseConfig: Config = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { swcrc: true }] },
  // NestJS 12 and a few of its companions ship ESM only: let swc transform them too.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@bull-board|uid|file-type|strtok3|token-types|peek-readable|@tokenizer)/)'],
};

/** Unit tier: specs beside the code, no outside system. */
const config: Config = {
  ...baseConfig,
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/cli'],
  testMatch: ['**/*.spec.ts'],
};

export default config;
