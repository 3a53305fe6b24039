/** Jest under native ESM (Nest 12 is ESM-only): ts-jest with useESM, run via --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // The packages by name, from their sources (the build resolves them to dist, as a user's app does).
    '^@exchange-connection/(core|nestjs|nats|testkit)$': '<rootDir>/libs/$1/src/index.ts',
    '^@exchange-connection/nestjs/(health|metrics)$': '<rootDir>/libs/nestjs/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/totals-reporter.mjs'],
};
