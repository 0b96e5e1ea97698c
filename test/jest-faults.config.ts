import type { Config } from 'jest';
import baseConfig from '../jest.base.config.js';

/**
 * Fault tier (`npm run test:faults`): the pipeline under load on private PostgreSQL and Redis that
 * the suite stops and restarts (test/support/private-services.ts); never the shared services.
 */
const config: Config = {
  ...baseConfig,
  rootDir: '..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault-spec.ts'],
  testTimeout: 3_600_000,
};

export default config;
