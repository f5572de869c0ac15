import { startPostgres, type PostgresServer } from './testing/postgres';
import {
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import {
  catalogRefs,
  registerComponent,
  startEntityServer,
  waitForEntities,
} from './testing/catalog';
import { PRODUCTION_CONFIG, productionEnv } from './testing/production';
import { startRecoveryOrigin } from './testing/recoveryOrigin';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './testing/backendProcess';

/**
 * The portal's catalog rules (app-config.yaml) plus one that lets this test's own template
 * location hold a Template, as a platform team's template location would be configured: without
 * it the rules refuse a Template registered through the API.
 */
function catalogRulesWith(templateUrl: string) {
  const base = parseYaml(
    fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
  ) as { catalog: { rules: unknown[] } };
  return [
    ...base.catalog.rules,
    { allow: ['Template'], locations: [{ type: 'url', target: templateUrl }] },
  ];
}

/*
 * Three backend processes on one real PostgreSQL, with the production config, as the Deployment
 * runs them: a scaffolder task outlives the replica running it, the catalog is the same from every
 * replica, and a global scheduled task runs once at a time across all of them.
 */
jest.setTimeout(420_000);

// The catalog search collator, scheduled every few seconds instead of every 10 minutes, is the
// scheduled task we watch: it logs each run.
const COLLATOR_SECONDS = 5;
const COLLATOR_RUN = /^(\S+Z) .*Collating documents for software-catalog via/gm;

/** Start times (ms) of the catalog collator's runs that a process logged. */
function collatorRuns(output: string): number[] {
  // The development log format colours its fields.
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  return [...plain.matchAll(COLLATOR_RUN)].map(m => Date.parse(m[1]));
}

/** Set-up that cannot go on: fails every test of the file with the reason. */
function must(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Error(reason);
}

async function taskStatus(backend: BackendProcess, taskId: string) {
  const res = await backend.request(`/api/scaffolder/v2/tasks/${taskId}`);
  if (!res.ok) throw new Error(`task ${taskId}: ${res.status}`);
  return ((await res.json()) as { status: string }).status;
}

async function waitForStatus(
  backend: BackendProcess,
  taskId: string,
  done: string[],
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await taskStatus(backend, taskId);
    if (done.includes(status) || Date.now() > deadline) return status;
    await new Promise(r => setTimeout(r, 1000));
  }
}

describe('several backend replicas on one PostgreSQL', () => {
  let pg: PostgresServer;
  const replicas: BackendProcess[] = [];
  let origin: Awaited<ReturnType<typeof startRecoveryOrigin>>;
  let entities: Awaited<ReturnType<typeof startEntityServer>>;

  const start = () =>
    startBackendProcess({
      configFiles: PRODUCTION_CONFIG,
      env: productionEnv(pg),
      config: {
        catalog: { rules: catalogRulesWith(origin.templateUrl) },
        backend: {
          reading: {
            allow: [
              ...origin.readingConfig.reading.allow,
              ...entities.readingConfig.reading.allow,
            ],
          },
        },
        search: {
          collators: {
            catalog: {
              schedule: {
                frequency: { seconds: COLLATOR_SECONDS },
                timeout: { minutes: 1 },
                initialDelay: { seconds: 1 },
              },
            },
          },
        },
      },
    });

  beforeAll(async () => {
    pg = await startPostgres();
    origin = await startRecoveryOrigin();
    entities = await startEntityServer();
  });
  afterAll(async () => {
    await Promise.all(replicas.map(r => r.stop()));
    await origin?.stop();
    await entities?.stop();
    await pg?.stop();
  });

  let a: BackendProcess;
  let b: BackendProcess;
  let c: BackendProcess;
  let taskId: string;
  let allUpAt: number;

  beforeAll(async () => {
    // Replica A alone: it is the one that claims the task.
    a = await start();
    replicas.push(a);
    const register = await a.request('/api/catalog/locations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'url', target: origin.templateUrl }),
    });
    must(
      register.status === 201,
      `registering the template: ${register.status}`,
    );
    must(
      (await waitForEntities(a, [origin.templateRef])).has(origin.templateRef),
      'the template never appeared in the catalog',
    );
    const created = await a.request('/api/scaffolder/v2/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateRef: origin.templateRef, values: {} }),
    });
    must(created.status === 201, `creating the task: ${created.status}`);
    taskId = ((await created.json()) as { id: string }).id;
    await origin.gateReached(1);
    const status = await taskStatus(a, taskId);
    must(status === 'processing', `the task is ${status} on A, not processing`);

    // Replicas B and C join while A is in the middle of the task.
    b = await start();
    replicas.push(b);
    c = await start();
    replicas.push(c);
    allUpAt = Date.now();
  });

  it('serves the same catalog from every replica, whichever replica registered an entity', async () => {
    const ref = await registerComponent(b, entities, 'registered-on-b');
    for (const replica of [a, c]) {
      expect(await waitForEntities(replica, [ref])).toContain(ref);
    }
    const [refsA, refsB, refsC] = await Promise.all([a, b, c].map(catalogRefs));
    expect(refsA).toContain(ref);
    expect(refsB).toEqual(refsA);
    expect(refsC).toEqual(refsA);
  });

  it('runs a global scheduled task once per period across the replicas, not once per replica', async () => {
    const watchMs = 6 * COLLATOR_SECONDS * 1000;
    await new Promise(r =>
      setTimeout(r, Math.max(0, allUpAt + watchMs - Date.now())),
    );
    const runs = [a, b, c]
      .flatMap(r => collatorRuns(r.output()))
      .filter(t => t >= allUpAt && t < allUpAt + watchMs)
      .sort((x, y) => x - y);
    // Three replicas each running it would log about three runs per period, several within the
    // same second.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(
      watchMs / 1000 / COLLATOR_SECONDS + 1,
    );
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(
      (COLLATOR_SECONDS - 1) * 1000,
    );
  });

  it('finishes a scaffolder task on another replica after the replica running it is killed', async () => {
    // Still held by A, which is still alive and heartbeating.
    expect(await taskStatus(b, taskId)).toBe('processing');
    expect(origin.gateRequests()).toBe(1);

    // A dies without warning (SIGKILL). Once the task's heartbeat is older than
    // scaffolder.taskRecovery.staleTimeout, B or C takes it over and runs it again.
    await a.kill();
    replicas.splice(replicas.indexOf(a), 1);
    const status = await waitForStatus(
      b,
      taskId,
      ['completed', 'failed'],
      180_000,
    );
    expect(status).toBe('completed');
    expect(origin.gateRequests()).toBe(2);
    const events = (await (
      await c.request(`/api/scaffolder/v2/tasks/${taskId}/events`)
    ).json()) as Array<{ type: string }>;
    expect(events.map(e => e.type)).toContain('recovered');
  });
});
