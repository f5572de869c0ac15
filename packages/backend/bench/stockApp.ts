/*
 * A stock `@backstage/create-app` app of the same Backstage release, made outside the repository
 * (npx @backstage/create-app@<release's version> --skip-install --path /tmp/stock-app), run on this
 * repository's installed packages. Shared by `yarn bench:memory` and `yarn bench:image`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND_DIR, REPO_ROOT } from '../src/testing/backendProcess';

/** Checks the stock app's release and links its node_modules to this checkout's. */
export function prepareStockApp(dir: string) {
  const stockVersion = JSON.parse(
    fs.readFileSync(path.join(dir, 'backstage.json'), 'utf8'),
  ).version;
  const ourVersion = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'backstage.json'), 'utf8'),
  ).version;
  if (stockVersion !== ourVersion) {
    throw new Error(
      `${dir} is Backstage ${stockVersion}, this repository ${ourVersion}: create the stock app ` +
        'with the create-app release of the same Backstage version',
    );
  }
  for (const [link, target] of [
    [path.join(dir, 'node_modules'), path.join(REPO_ROOT, 'node_modules')],
    [
      path.join(dir, 'packages/backend/node_modules'),
      path.join(BACKEND_DIR, 'node_modules'),
    ],
  ]) {
    // A link left by a run from another checkout would load that checkout's packages (its
    // plugins, or none of the modules added since): point it at this one.
    const current = fs.lstatSync(link, { throwIfNoEntry: false });
    if (current?.isSymbolicLink() && fs.readlinkSync(link) !== target) {
      console.log(`${link} pointed at ${fs.readlinkSync(link)}; now ${target}`);
      fs.unlinkSync(link);
    } else if (current) {
      continue;
    }
    fs.symlinkSync(target, link);
  }
}
