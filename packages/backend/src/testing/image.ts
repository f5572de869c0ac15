/*
 * Runs the portal's image (scripts/image-build.sh) with buildah, as root, the way a container
 * runtime runs it: its own entry point and command, as its own user, in its working directory,
 * with its environment plus the variables given, and tmpfs mounts where the Deployment mounts
 * writable volumes. `buildah run --isolation chroot` shares the host's network, so the backend
 * reaches a PostgreSQL server on loopback; it has no PID namespace, so the entry point is not PID 1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, type BackendProcess } from './backendProcess';

/** The image's OCI configuration (`buildah inspect`, OCIv1.config). */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

function buildah(args: string[]): string {
  return execFileSync('buildah', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function inspectImage(image: string): ImageConfig {
  const info = JSON.parse(buildah(['inspect', '--type', 'image', image]));
  return info.OCIv1.config ?? {};
}

/** A working container of the image with its root file system mounted on the host. */
export interface ImageContainer {
  name: string;
  config: ImageConfig;
  /** The container's root file system, as the host sees it. */
  rootfs: string;
  /** Paths (from /) written, created or deleted in the root file system since the container was made. */
  changedPaths(): string[];
  remove(): void;
}

/** The overlay upper directory of a mount point: where every write to the container lands. */
function upperDir(mountPoint: string): string {
  const line = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find(l => l.split(' ')[4] === mountPoint);
  const upper = line && /(?:^|,)upperdir=([^,\s]+)/.exec(line)?.[1];
  if (!upper) {
    throw new Error(
      `no overlay mount at ${mountPoint}: buildah's storage driver must be overlay (buildah info)`,
    );
  }
  return upper;
}

function listTree(root: string, relative = ''): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, relative), {
    withFileTypes: true,
  })) {
    const rel = `${relative}/${entry.name}`;
    found.push(rel);
    if (entry.isDirectory()) found.push(...listTree(root, rel));
  }
  return found;
}

export function createContainer(image: string): ImageContainer {
  const name = `portal-image-test-${randomBytes(4).toString('hex')}`;
  buildah(['from', '--pull=never', '--name', name, image]);
  const rootfs = buildah(['mount', name]);
  const upper = upperDir(rootfs);
  return {
    name,
    config: inspectImage(image),
    rootfs,
    changedPaths: () => listTree(upper).sort(),
    remove() {
      try {
        buildah(['rm', name]);
      } catch {
        // already removed
      }
    },
  };
}

/** Runs one command in the container to its end (as the image's user); returns its output. */
export function runCommand(
  container: ImageContainer,
  argv: string[],
  writable: string[] = [],
): string {
  return buildah([
    'run',
    '--isolation',
    'chroot',
    ...writable.flatMap(target => [
      '--mount',
      `type=tmpfs,destination=${target}`,
    ]),
    container.name,
    '--',
    ...argv,
  ]);
}

export interface ImageProcess {
  /** The first process of the image's entry point (what a container runtime signals). */
  entryPid: number;
  output(): string;
  /** Resolves with the exit code once the container's process has ended. */
  exited: Promise<number | null>;
  /** Sends a signal to the entry point, as `docker stop` and the kubelet do. */
  signal(signal: NodeJS.Signals): void;
}

/** A process and its descendants, parents first, with their command lines (from /proc). */
export function processTree(
  rootPid: number,
): Array<{ pid: number; argv: string[] }> {
  const children = new Map<number, number[]>();
  const argv = new Map<number, string[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]);
      argv.set(
        Number(entry),
        fs
          .readFileSync(`/proc/${entry}/cmdline`, 'utf8')
          .split('\0')
          .filter(Boolean),
      );
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended while reading
    }
  }
  if (!argv.has(rootPid)) return [];
  const tree: Array<{ pid: number; argv: string[] }> = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    tree.push({ pid, argv: argv.get(pid) ?? [] });
    queue.push(...(children.get(pid) ?? []).sort((a, b) => a - b));
  }
  return tree;
}

/**
 * Starts the image's entry point and command in the container. `writable` are the paths mounted
 * as tmpfs (the Deployment's writable volumes); `env` is added to the image's environment.
 */
export async function runImage(
  container: ImageContainer,
  options: { env: Record<string, string>; writable: string[] },
): Promise<ImageProcess> {
  const { config } = container;
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (command.length === 0) throw new Error('the image has no command');
  const args = ['run', '--isolation', 'chroot'];
  for (const [key, value] of Object.entries(options.env)) {
    args.push('--env', `${key}=${value}`);
  }
  for (const target of options.writable) {
    args.push('--mount', `type=tmpfs,destination=${target}`);
  }
  args.push(container.name, '--', ...command);
  const child: ChildProcess = spawn('buildah', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', d => chunks.push(String(d)));
  child.stderr?.on('data', d => chunks.push(String(d)));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );

  const deadline = Date.now() + 30_000;
  let entryPid: number | undefined;
  while (!entryPid) {
    entryPid = processTree(child.pid!).find(p => p.argv[0] === command[0])?.pid;
    if (entryPid) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `the image's entry point ${command[0]} did not start:\n${chunks.join(
          '',
        )}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    entryPid,
    output: () => chunks.join(''),
    exited,
    signal: signal => process.kill(entryPid!, signal),
  };
}

/** The real user and group ids of a process (/proc/<pid>/status). */
export function processIds(pid: number): { uid: number; gid: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
  return { uid, gid };
}

/** The entries of /etc/passwd in the image's root file system, by user name. */
export function imageUsers(
  rootfs: string,
): Map<string, { uid: number; gid: number; home: string }> {
  const users = new Map<string, { uid: number; gid: number; home: string }>();
  for (const line of fs
    .readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')
    .split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name) users.set(name, { uid: Number(uid), gid: Number(gid), home });
  }
  return users;
}

/**
 * The backend of the image as a BackendProcess (the benchmarks' shape): its own container, its
 * entry point and command, on a free loopback port (Backstage's APP_CONFIG_ overrides), with a
 * static access token for the requests. `pid` is the entry point's, so memory and CPU are what
 * the container's processes use, without buildah's own.
 */
export async function startImageBackend(
  image: string,
  options: {
    env: Record<string, string>;
    writable?: string[];
    timeoutMs?: number;
  },
): Promise<BackendProcess> {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const baseUrl = `http://127.0.0.1:${port}`;
  const box = createContainer(image);
  const started = Date.now();
  let running: ImageProcess;
  try {
    running = await runImage(box, {
      env: {
        PORTAL_BASE_URL: baseUrl,
        ...options.env,
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_listen_host: '127.0.0.1',
        APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
          { type: 'static', options: { token, subject: 'benchmark' } },
        ]),
      },
      writable: options.writable ?? ['/tmp'],
    });
  } catch (error) {
    box.remove();
    throw error;
  }
  const deadline = started + (options.timeoutMs ?? 120_000);
  const stop = async (signal: NodeJS.Signals) => {
    if (processTree(running.entryPid).length > 0) {
      const timer = setTimeout(() => running.signal('SIGKILL'), 60_000);
      running.signal(signal);
      await running.exited;
      clearTimeout(timer);
    }
    box.remove();
  };
  for (;;) {
    const code = await Promise.race([
      running.exited,
      new Promise(r => setTimeout(r, 250, 'running')),
    ]);
    if (code !== 'running') {
      box.remove();
      throw new Error(
        `the image's backend exited with ${code} before it was ready:\n${running.output()}`,
      );
    }
    const ready = await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
      .then(res => res.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(
        `the image's backend was not ready:\n${running.output()}`,
      );
    }
  }
  return {
    baseUrl,
    output: running.output,
    startupMs: Date.now() - started,
    pid: running.entryPid,
    request: (pathname, init) =>
      fetch(`${baseUrl}${pathname}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init?.headers },
      }),
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
  };
}
