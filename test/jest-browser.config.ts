import type { Config } from 'jest';
import baseConfig from '../jest.base.config.js';

/**
 * Browser tier: the student pages in a real Chromium (playwright-core, Debian's /usr/bin/chromium)
 * against the built api and worker processes, PostgreSQL, Redis and Docker.
 */
const config: Config = {
  ...baseConfig,
  rootDir: '..',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 180_000,
};

export default config;
