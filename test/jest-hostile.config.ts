import type { Config } from 'jest';
import baseConfig from '../jest.base.config.js';

/** Hostile catalogue: submissions that attack the sandbox, each in a real sandbox (Docker only). */
const config: Config = {
  ...baseConfig,
  rootDir: '..',
  roots: ['<rootDir>/test/hostile'],
  testMatch: ['**/*.hostile-spec.ts'],
  testTimeout: 180_000,
};

export default config;
