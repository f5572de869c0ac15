import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dryRunTemplate } from './dryRun';
import { PYTHON } from './lib/checks';
import {
  StartedApp,
  freePort,
  get,
  startWithStreamlitStandIn,
} from './lib/streamlitStandIn';
import {
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

// Booting the backend takes seconds; the timeout is set here so it holds when
// the repository runs all tests at once.
jest.setTimeout(60_000);

// Runs the generated observability module with a real prometheus_client (Debian's
// python3-prometheus-client): records one page view, one interaction and one render,
// logs a line, and prints the metrics page the server answers with to stderr.
const SCRIPT = `
import logging, os, sys, urllib.request
import observability

observability.start()
observability.PAGE_VIEWS.labels(page="home").inc()
observability.INTERACTIONS.labels(widget="points").inc()
with observability.RENDER_SECONDS.labels(page="home").time():
    pass
logging.getLogger("dashboard").warning('a "quoted" message', extra={"widget": "points"})
port = os.environ["METRICS_PORT"]
sys.stderr.write(urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode())
`;

describe('the generated app observability', () => {
  let stdout: string;
  let metrics: string;

  beforeAll(async () => {
    const { status, files } = await dryRunTemplate({
      templateDir,
      values: dockerHubValues,
      features: serviceTemplateFeatures,
    });
    if (status !== 200) {
      throw new Error(`dry run answered ${status}`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-app-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'observability.py'),
        files.get('observability.py')!,
      );
      fs.writeFileSync(path.join(dir, 'run.py'), SCRIPT);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        METRICS_PORT: String(await freePort()),
      };
      delete env.SERVICE_NAME;
      const run = spawnSync(PYTHON, ['run.py'], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (run.status !== 0) {
        throw new Error(`run.py failed: ${run.stderr}`);
      }
      stdout = run.stdout;
      metrics = run.stderr;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports the metrics of the contract with their labels', () => {
    expect(metrics).toMatch(/^# TYPE dashboard_page_views_total counter$/m);
    expect(metrics).toMatch(
      /^dashboard_page_views_total\{page="home"\} 1\.0$/m,
    );
    expect(metrics).toMatch(/^# TYPE dashboard_interactions_total counter$/m);
    expect(metrics).toMatch(
      /^dashboard_interactions_total\{widget="points"\} 1\.0$/m,
    );
    expect(metrics).toMatch(/^# TYPE dashboard_render_seconds histogram$/m);
    expect(metrics).toMatch(
      /^dashboard_render_seconds_bucket\{le="\+Inf",page="home"\} 1\.0$/m,
    );
    expect(metrics).toMatch(
      /^dashboard_render_seconds_count\{page="home"\} 1\.0$/m,
    );
    expect(metrics).toMatch(/^process_resident_memory_bytes /m);
    expect(metrics).toMatch(/^python_info\{/m);
  });

  it('logs one JSON object per line with the fields of the contract', () => {
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const entries = lines.map(line => JSON.parse(line));
    for (const entry of entries) {
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining([
          'time',
          'level',
          'logger',
          'message',
          'service',
        ]),
      );
      expect(entry.time).toMatch(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      );
      expect(['debug', 'info', 'warning', 'error', 'critical']).toContain(
        entry.level,
      );
      expect(entry.service).toBe(dockerHubValues.name);
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        logger: 'dashboard',
        message: 'a "quoted" message',
        widget: 'points',
      }),
    );
  });
});

describe('the generated process entry point', () => {
  let dir: string;
  let app: StartedApp;

  beforeAll(async () => {
    const { status, files } = await dryRunTemplate({
      templateDir,
      values: dockerHubValues,
      features: serviceTemplateFeatures,
    });
    if (status !== 200) {
      throw new Error(`dry run answered ${status}`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-main-'));
    for (const file of ['main.py', 'observability.py', 'app.py']) {
      fs.writeFileSync(path.join(dir, file), files.get(file)!);
    }
    // As the Dockerfile's ENTRYPOINT runs it, with one Streamlit option passed through.
    app = await startWithStreamlitStandIn({
      cwd: dir,
      args: ['main.py', '--server.headless', 'true'],
      scratch: dir,
      env: { SERVICE_NAME: undefined },
    });
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics on the metrics port before any session has run app.py', async () => {
    const res = await get(`http://127.0.0.1:${app.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^# TYPE dashboard_page_views_total counter$/m);
    expect(res.body).toMatch(/^# TYPE dashboard_render_seconds histogram$/m);
    expect(res.body).toMatch(/^process_start_time_seconds /m);
    // No page has been rendered: the counters exist but have no samples yet.
    expect(res.body).not.toMatch(/^dashboard_page_views_total\{/m);
  });

  it('runs `streamlit run app.py` in the same process, passing its arguments on', () => {
    expect(app.streamlitCall()).toEqual({
      args: ['run', path.join(dir, 'app.py'), '--server.headless', 'true'],
      prog_name: 'streamlit',
    });
    expect(app.child.exitCode).toBeNull();
  });

  it("logs JSON on stdout from the start, Streamlit's own lines included", () => {
    const entries = app
      .stdout()
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(entries.map(e => [e.logger, e.message])).toEqual([
      [
        'observability',
        `metrics served on port ${app.metricsPort} at /metrics`,
      ],
      [
        'streamlit.web.server',
        'You can now view your Streamlit app in your browser.',
      ],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        level: 'info',
        service: dockerHubValues.name,
      });
    }
  });
});
