/*
 * The portal's own docs on the local defaults: the real backend with app-config.yaml builds them
 * with Debian's mkdocs (scripts/system-deps.sh) on the first request, as the TechDocs page does,
 * serves the built site, and leaves the checkout as it was (the generator builds in place, and
 * used to leave a default mkdocs.yml behind).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import { waitForEntities } from './testing/catalog';

jest.setTimeout(180_000);

const PORTAL = 'component:default/golden-path-portal';
const checkoutStatus = () =>
  execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });

describe("the portal's own TechDocs on the local defaults", () => {
  let backend: BackendProcess | undefined;
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'techdocs-'));
  });
  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds them on the first request, serves the site, and changes nothing in the checkout', async () => {
    const before = checkoutStatus();
    backend = await startBackendProcess({
      config: {
        backend: {
          database: {
            client: 'better-sqlite3',
            connection: { directory: path.join(dataDir, 'sqlite') },
          },
        },
        // The built sites go here instead of the techdocs backend's package folder.
        techdocs: {
          publisher: {
            type: 'local',
            local: { publishDirectory: path.join(dataDir, 'docs') },
          },
        },
      },
    });
    const served = await waitForEntities(backend, [PORTAL]);
    expect(served.has(PORTAL)).toBe(true);

    // What the TechDocs page asks for first: a build, reported as a stream of log events.
    const sync = await backend.request(
      '/api/techdocs/sync/default/component/golden-path-portal',
      { headers: { accept: 'text/event-stream' } },
    );
    const events = await sync.text();
    expect(events).toContain('event: finish');
    expect(events).not.toMatch(/event: error/);

    const index = await backend.request(
      '/api/techdocs/static/docs/default/component/golden-path-portal/index.html',
    );
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Golden Path Portal');
    const architecture = await backend.request(
      '/api/techdocs/static/docs/default/component/golden-path-portal/architecture/index.html',
    );
    expect(architecture.status).toBe(200);

    expect(checkoutStatus()).toBe(before);
  });
});
