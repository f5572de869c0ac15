/*
 * Runs the real backend as a child process for integration tests and the start-up benchmark:
 * the same entry point and TypeScript loader as `yarn start` (`backstage-cli package start`),
 * without its file watcher, so that a backend that stops by itself ends the process.
 * Each instance gets its own port, its own static access token and its own config file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

export const BACKEND_DIR = resolvePackagePath('backend');
export const REPO_ROOT = path.resolve(BACKEND_DIR, '../..');
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
  {
    paths: [BACKEND_DIR],
  },
);

export interface BackendProcessOptions {
  /**
   * The backend package to run (its `src/index.ts`); defaults to this repository's. Config files
   * are resolved against the repository two levels above it.
   */
  backendDir?: string;
  /** The entry point, relative to the backend package; defaults to src/index.ts. */
  entry?: string;
  /** Extra options for node, before the entry point. */
  nodeArgs?: string[];
  /** Config files from the repo root, in order; defaults to app-config.yaml. */
  configFiles?: string[];
  /** Extra config layered last (port, token and base URL are added to it). */
  config?: Record<string, unknown>;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Port to listen on; a free one when unset. */
  port?: number;
  timeoutMs?: number;
}

export interface BackendProcess {
  baseUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  /** fetch() against the backend with the static access token. */
  request(pathname: string, init?: RequestInit): Promise<Response>;
  /** Milliseconds from spawn to readiness 200, and the process tree's resident memory then. */
  startupMs: number;
  pid: number;
  /** Graceful stop: SIGTERM to the process tree, SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Abrupt death: SIGKILL to the process tree at once, as when a node or container dies. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function spawnBackend(
  configFiles: string[],
  extraConfigFile: string,
  env: Record<string, string>,
  backendDir = BACKEND_DIR,
  entry = 'src/index.ts',
  nodeArgs: string[] = [],
) {
  const args = [
    '--enable-source-maps',
    ...nodeArgs,
    '--require',
    NODE_TRANSFORM,
    entry,
  ];
  for (const file of [
    ...configFiles.map(f => path.resolve(backendDir, '../..', f)),
    extraConfigFile,
  ]) {
    args.push('--config', file);
  }
  return spawn(process.execPath, args, {
    cwd: backendDir,
    env: { ...process.env, ...env, FORCE_COLOR: '0', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function collect(child: ChildProcess) {
  const chunks: string[] = [];
  child.stdout?.on('data', d => chunks.push(String(d)));
  child.stderr?.on('data', d => chunks.push(String(d)));
  return () => chunks.join('');
}

async function stopTree(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  try {
    process.kill(-child.pid!, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

function writeExtraConfig(config: Record<string, unknown>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backend-config-'));
  const file = path.join(dir, 'app-config.test.yaml');
  fs.writeFileSync(file, stringify(config));
  return file;
}

/**
 * The sum of `measure(pid, stat)` over a process and all its descendants, from /proc (`stat` is
 * the fields of `/proc/<pid>/stat` after the command name, from the state on).
 */
export function sumOverProcessTree(
  rootPid: number,
  measure: (pid: number, stat: string[]) => number,
): number {
  const children = new Map<number, number[]>();
  const values = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces; it ends with the last ')'.
      const stat = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(stat[1]);
      values.set(Number(entry), measure(Number(entry), stat));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // process ended while reading
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.pop()!;
    total += values.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Resident memory (kB) of a process and all its descendants, from /proc. */
export function treeRssKb(rootPid: number): number {
  return sumOverProcessTree(rootPid, pid => {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  });
}

/** Starts the backend and resolves once its readiness endpoint answers 200. */
export async function startBackendProcess(
  options: BackendProcessOptions = {},
): Promise<BackendProcess> {
  const port = options.port ?? (await freePort());
  const token = randomBytes(24).toString('hex');
  const baseUrl = `http://127.0.0.1:${port}`;
  const extra = writeExtraConfig({
    ...options.config,
    backend: {
      ...(options.config?.backend as object),
      baseUrl,
      listen: { port, host: '127.0.0.1' },
      auth: {
        externalAccess: [
          { type: 'static', options: { token, subject: 'integration-test' } },
        ],
      },
    },
  });
  const started = Date.now();
  const child = spawnBackend(
    options.configFiles ?? ['app-config.yaml'],
    extra,
    options.env ?? {},
    options.backendDir,
    options.entry,
    options.nodeArgs,
  );
  const output = collect(child);
  const exit = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  const deadline = started + (options.timeoutMs ?? 120_000);

  for (;;) {
    const code = await Promise.race([
      exit,
      new Promise(r => setTimeout(r, 250, 'poll')),
    ]);
    if (code !== 'poll') {
      throw new Error(
        `backend exited with code ${code} before it was ready:\n${output()}`,
      );
    }
    const ready = await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
      .then(res => res.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stopTree(child);
      throw new Error(
        `backend was not ready within ${
          options.timeoutMs ?? 120_000
        } ms:\n${output()}`,
      );
    }
  }

  return {
    baseUrl,
    output,
    startupMs: Date.now() - started,
    pid: child.pid!,
    request: (pathname, init) =>
      fetch(`${baseUrl}${pathname}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init?.headers },
      }),
    stop: () => stopTree(child),
    kill: () => stopTree(child, 'SIGKILL'),
  };
}

/** Runs the backend expecting it to stop by itself; resolves with its exit code and output. */
export async function runBackendUntilExit(
  options: Omit<BackendProcessOptions, 'port'> & { timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const extra = writeExtraConfig({
    ...options.config,
    backend: {
      ...(options.config?.backend as object),
      listen: { port, host: '127.0.0.1' },
    },
  });
  const child = spawnBackend(
    options.configFiles ?? ['app-config.yaml'],
    extra,
    options.env ?? {},
  );
  const output = collect(child);
  const timer = setTimeout(() => stopTree(child), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>(resolve =>
    child.once('exit', c => resolve(c)),
  );
  clearTimeout(timer);
  return { code, output: output() };
}
