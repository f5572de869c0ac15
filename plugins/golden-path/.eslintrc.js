module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The verdict test puts the pod-health card next to this card and judges the same pods
      // with the deployed check's own code; it is test code that never reaches the bundle.
      files: ['src/deployedVerdict.test.tsx'],
      rules: { '@backstage/no-mixed-plugin-imports': 'off' },
    },
  ],
});
