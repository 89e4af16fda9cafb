/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testTimeout: 120000,
  // tsconfig's module node16 (it reads package.json `exports`) emits CommonJS here, as the package
  // is CommonJS; 151002 is ts-jest's notice that it prefers isolatedModules for that mode.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false, ignoreCodes: [151002] }, isolatedModules: false }] },
};
