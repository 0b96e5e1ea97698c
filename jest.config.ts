import type { Config } from 'jest';
import base from './jest.base.config.js';

/** Unit tier: specs beside the code, no outside system. */
const config: Config = {
  ...base,
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/cli'],
  testMatch: ['**/*.spec.ts'],
};

export default config;
