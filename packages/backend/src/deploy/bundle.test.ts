import { readRepoFile } from './files';

/*
 * The image's backend bundle (`yarn workspace backend build`, backstage-cli's production pack)
 * carries every workspace package the backend depends on. The pack rewrites the `exports` of any
 * such package that has a dist/ folder as if backstage-cli had built it: it refuses conditional
 * (object) values, and points string values at dist/<name>.cjs.js, which the Worker package does not
 * have. The Worker package therefore declares plain string exports, and repeats them in
 * publishConfig, which the pack applies after its rewrite.
 */
describe('the Worker package as the backend bundle carries it', () => {
  const pkg = JSON.parse(readRepoFile('worker/package.json'));

  it('declares only string exports (the production pack refuses conditions)', () => {
    const conditional = Object.entries(pkg.exports).filter(
      ([, target]) => typeof target !== 'string',
    );
    expect(conditional).toEqual([]);
  });

  it('restores its exports after the pack rewrites them (publishConfig.exports)', () => {
    expect(pkg.publishConfig?.exports).toEqual(pkg.exports);
  });
});
