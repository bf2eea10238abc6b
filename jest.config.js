/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/projections', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // API and process tests open files and ports; two workers fit the 2-core machines.
  maxWorkers: 2,
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/globalSetup.js',
};
