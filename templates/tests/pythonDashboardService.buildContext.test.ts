import { spawn } from 'node:child_process';
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
import { PYTHON } from './lib/checks';
import { STREAMLIT_STAND_IN, freePort, get } from './lib/streamlitStandIn';
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
    let child: ReturnType<typeof spawn>;
    let metricsPort: number;
    let output = '';

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-context-'));
      const app = path.join(dir, 'app');
      for (const file of context) {
        fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
        fs.writeFileSync(path.join(app, file), files.get(file)!);
      }
      const standIn = path.join(dir, 'stand-in');
      for (const [file, content] of Object.entries(STREAMLIT_STAND_IN)) {
        fs.mkdirSync(path.dirname(path.join(standIn, file)), {
          recursive: true,
        });
        fs.writeFileSync(path.join(standIn, file), content);
      }
      // The Dockerfile's own ENTRYPOINT, with Debian's Python for the image's `python`.
      const entrypoint = entrypointOf(dockerfile);
      if (entrypoint[0] !== 'python') {
        throw new Error(`expected a python entry point, got ${entrypoint}`);
      }
      metricsPort = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        METRICS_PORT: String(metricsPort),
        PYTHONPATH: standIn,
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        STREAMLIT_ARGS_FILE: path.join(dir, 'streamlit-args.json'),
      };
      child = spawn(PYTHON, entrypoint.slice(1), { cwd: app, env });
      child.stdout!.on('data', d => (output += d));
      child.stderr!.on('data', d => (output += d));
      const deadline = Date.now() + 20_000;
      while (!output.includes('You can now view')) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `${entrypoint.join(
              ' ',
            )} did not start from the build context (${context.join(
              ', ',
            )}):\n${output}`,
          );
        }
        await new Promise(r => setTimeout(r, 100));
      }
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('serves /metrics and hands app.py to Streamlit', async () => {
      const res = await get(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^# TYPE dashboard_page_views_total counter$/m);
      const started = JSON.parse(
        fs.readFileSync(path.join(dir, 'streamlit-args.json'), 'utf8'),
      );
      expect(started.args.slice(0, 2)).toEqual([
        'run',
        path.join(dir, 'app', 'app.py'),
      ]);
    });
  });
});
