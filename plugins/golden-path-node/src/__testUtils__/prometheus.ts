/*
 * A real Prometheus server (Debian's `prometheus` package, or PROMETHEUS_BIN), as the
 * observability plugin's tests start it (plugins/observability/src/__testUtils__/prometheus.ts):
 * a free loopback port, a configuration written to a temporary directory, stopped after. And a
 * small exporter that serves fixed metric texts, which that Prometheus scrapes.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function findPrometheus(): string {
  const candidate = process.env.PROMETHEUS_BIN ?? 'prometheus';
  try {
    execFileSync(candidate, ['--version'], { stdio: 'ignore' });
    return candidate;
  } catch {
    throw new Error(
      `Prometheus binary not found (${candidate}). Install Debian's package (apt-get install -y prometheus) or set PROMETHEUS_BIN.`,
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Serves `paths[path]` as Prometheus' text format. */
export async function startExporter(paths: Record<string, string>) {
  const server = http.createServer((req, res) => {
    const body = paths[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, {
      'Content-Type': 'text/plain; version=0.0.4',
    });
    res.end(body ?? 'not found');
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

export async function startPrometheus(options: {
  config: string;
  files?: Record<string, string>;
}) {
  const binary = findPrometheus();
  const dir = mkdtempSync(join(tmpdir(), 'golden-path-prometheus-'));
  for (const [name, content] of Object.entries(options.files ?? {})) {
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'prometheus.yml'), options.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  child.stdout!.on('data', d => (log += d));
  child.stderr!.on('data', d => (log += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not start in time:\n${log}`);
    }
    await sleep(200);
  }
  return { url, log: () => log, stop };
}
