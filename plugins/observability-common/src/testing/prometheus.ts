/*
 * A real Prometheus server (Debian's `prometheus` package, or PROMETHEUS_BIN) for tests: started
 * on a free loopback port with a given configuration, queried over its HTTP API, stopped after.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

/** The Prometheus binary; a clear error when it is not installed. */
export function findPrometheus(): string {
  const candidate = process.env.PROMETHEUS_BIN ?? 'prometheus';
  try {
    execFileSync(candidate, ['--version'], { stdio: 'ignore' });
    return candidate;
  } catch {
    throw new Error(
      `Prometheus binary not found (${candidate}). Install Debian's package ` +
        '(apt-get install -y prometheus) or set PROMETHEUS_BIN.',
    );
  }
}

/** GET a URL and parse its JSON body; a fresh agent, since jest's global one refuses the network. */
export function getJson(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`${res.statusCode} from ${url}: ${body}`));
          }
        });
      })
      .on('error', reject);
  });
}

/** A port nothing listens on right now. */
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

/** A running Prometheus. */
export interface TestPrometheus {
  baseUrl: string;
  /** The directory holding the config; extra files (rules, file_sd targets) go here too. */
  dir: string;
  query(expr: string): Promise<any>;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus with `prometheus.yml` made by `config(dir)`, after writing `files` (name to
 * content) into the same directory.
 */
export async function startPrometheus(options: {
  config: (dir: string) => string;
  files?: Record<string, string>;
}): Promise<TestPrometheus> {
  const binary = findPrometheus();
  const dir = mkdtempSync(join(tmpdir(), 'test-prometheus-'));
  for (const [name, content] of Object.entries(options.files ?? {})) {
    writeFileSync(join(dir, name), content);
  }
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, options.config(dir));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', d => (log += d));
  child.stderr!.on('data', d => (log += d));
  const query = (expr: string) =>
    getJson(`${baseUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
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
      const res = await getJson(`${baseUrl}/api/v1/status/buildinfo`);
      if (res.status === 'success') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not start in time:\n${log}`);
    }
    await sleep(200);
  }
  return { baseUrl, dir, query, log: () => log, stop };
}

/** Serves `paths[path]` in Prometheus' text format, for a test Prometheus to scrape. */
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
