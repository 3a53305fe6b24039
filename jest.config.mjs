/** Jest under native ESM (Nest 12 is ESM-only): ts-jest with useESM, run via --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#exchange-connection$': '<rootDir>/libs/exchange-connection/src/index.ts',
    '^#exchange-testkit$': '<rootDir>/libs/exchange-testkit/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/totals-reporter.mjs'],
};
