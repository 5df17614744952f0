/** One jest run for unit specs (beside the code) and integration specs (test/). */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  testTimeout: 60000,
  // Docker's and Redis' clients keep sockets alive after the last test; don't let them hold the run open.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Every app the tests start logs to test/.logs/<run>/; test/log-secrets.e2e-spec.ts greps them all, last.
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testSequencer: '<rootDir>/test/support/sequencer.js',
};
