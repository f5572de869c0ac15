// Backstage's Jest preset only looks for tests under src/; this package keeps
// its templates at the top and their tests in tests/, so it configures Jest
// itself, with the same SWC transform the preset uses for Node packages.
const swcTransform = require.resolve('@backstage/cli/config/jestSwcTransform');

// Dynamic imports are compiled to require() (the preset keeps them, which needs
// --experimental-vm-modules), so tests can pass `import('some-module')` as a
// backend feature.
const moduleOptions = { module: { exportInteropAnnotation: true } };

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
  transform: {
    '\\.(mjs|cjs|js)$': [
      swcTransform,
      { ...moduleOptions, jsc: { parser: { syntax: 'ecmascript' } } },
    ],
    '\\.(mts|cts|ts)$': [
      swcTransform,
      { ...moduleOptions, jsc: { parser: { syntax: 'typescript' } } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/'],
  // Each test file boots a real backend; a dry run with its checks takes seconds.
  testTimeout: 60000,
};
