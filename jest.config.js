// Nest 12 ships ESM only, so Jest runs in its native ESM mode (npm test passes
// --experimental-vm-modules) and ts-jest emits ESM.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // The client library is tested from its source, like the server: no build needed.
  moduleNameMapper: {
    '^@periskop/client$': '<rootDir>/packages/periskop-client/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/packages/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/client/', '<rootDir>/dist/', '<rootDir>/dist-bench/'],
  testTimeout: 60000,
  maxWorkers: 2,
};
