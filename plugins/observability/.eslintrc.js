module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The dashboard generator and the tests that run Prometheus and promtool are Node code that
      // never reaches the browser bundle.
      files: ['src/dashboard/**', 'src/**/*.prometheus.test.tsx', 'scripts/**'],
      rules: {
        'no-restricted-imports': 'off',
        'no-console': 'off',
      },
    },
  ],
});
