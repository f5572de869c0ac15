module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The Kubernetes API stand-in and the backend integration test are Node code that never
      // reaches the browser bundle.
      files: ['testing/**', 'src/**/*.backend.test.ts'],
      rules: {
        'no-restricted-imports': 'off',
        'no-console': 'off',
      },
    },
  ],
});
