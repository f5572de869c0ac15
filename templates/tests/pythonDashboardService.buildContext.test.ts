import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildContextFiles,
  contextCopies,
  entrypointOf,
  filesCopiedBy,
  missingCopySources,
} from '@internal/plugin-scaffolder-node-test-utils';
import { dryRunTemplate } from './dryRun';
import {
  StartedApp,
  get,
  startWithStreamlitStandIn,
} from './lib/streamlitStandIn';
import {
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

jest.setTimeout(60_000);

/*
 * The pipeline's `Docker@2 build` sends the repository's checkout as the build context
 * (`buildContext: $(Build.SourcesDirectory)`), filtered by the generated `.dockerignore`. No
 * Docker engine runs here, so this follows what the engine does: Docker's own matcher decides
 * the context, every COPY must find its source in it, and the image's entry point must start
 * with nothing but those files.
 */
describe('the generated service build context', () => {
  let files: Map<string, string>;
  let context: string[];
  let dockerfile: string;

  beforeAll(async () => {
    const result = await dryRunTemplate({
      templateDir,
      values: dockerHubValues,
      features: serviceTemplateFeatures,
    });
    if (result.status !== 200) {
      throw new Error(`dry run answered ${result.status}`);
    }
    files = result.files;
    dockerfile = files.get('Dockerfile')!;
    // The agent's checkout also holds the repository's .git folder.
    context = buildContextFiles(
      [...files.keys(), '.git/HEAD', '.git/config'],
      files.get('.dockerignore'),
    );
  });

  it('finds every COPY and ADD source of the Dockerfile in the context .dockerignore leaves', () => {
    const copies = contextCopies(dockerfile);
    expect(copies.length).toBeGreaterThan(0);
    expect(missingCopySources(copies, context)).toEqual([]);
  });

  it('sends only what the image copies: no tests, manifests, pipeline, docs or .git', () => {
    const copied = new Set(
      contextCopies(dockerfile).flatMap(copy =>
        filesCopiedBy(copy.source, context),
      ),
    );
    expect(context).toEqual([...copied].sort());
    expect(context).not.toContain('Dockerfile');
    expect(context.some(file => file.startsWith('.git/'))).toBe(false);
  });

  describe('the entry point, started in a folder holding exactly the context', () => {
    let dir: string;
    let app: StartedApp;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-context-'));
      for (const file of context) {
        const target = path.join(dir, 'app', file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, files.get(file)!);
      }
      // The Dockerfile's own ENTRYPOINT, with Debian's Python for the image's `python`.
      const entrypoint = entrypointOf(dockerfile);
      if (entrypoint[0] !== 'python') {
        throw new Error(`expected a python entry point, got ${entrypoint}`);
      }
      app = await startWithStreamlitStandIn({
        cwd: path.join(dir, 'app'),
        args: entrypoint.slice(1),
        scratch: dir,
      }).catch(error => {
        throw new Error(
          `not startable from the build context (${context.join(', ')}): ${
            error.message
          }`,
        );
      });
    });

    afterAll(async () => {
      await app?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('serves /metrics and hands app.py to Streamlit', async () => {
      const res = await get(`http://127.0.0.1:${app.metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^# TYPE dashboard_page_views_total counter$/m);
      expect(app.streamlitCall().args.slice(0, 2)).toEqual([
        'run',
        path.join(dir, 'app', 'app.py'),
      ]);
    });
  });
});
