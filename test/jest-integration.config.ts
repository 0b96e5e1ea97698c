import type { Config } from 'jest';
import baseConfig from '../jest.base.config.js';

/** Integration tier: real PostgreSQL, Redis and Docker engine, a database and Redis prefix per run. */
const config: Config = {
  ...baseConfig,
  rootDir: '..',
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
};

export default config;
