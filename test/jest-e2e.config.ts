import type { Config } from 'jest';
import baseConfig from '../jest.base.config.js';

/** End-to-end tier: the service over HTTP (and in a browser) against real dependencies. */
const config: Config = {
  ...baseConfig,
  rootDir: '..',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 180_000,
};

export default config;
