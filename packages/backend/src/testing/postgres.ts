/*
 * A throw-away PostgreSQL server (Debian's `postgresql` package) for integration tests:
 * its own data directory, a loopback port, a password-protected superuser.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './backendProcess';

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
  const found = versions
    .reverse()
    .map(v => path.join(root, v, 'bin'))
    .find(dir => fs.existsSync(path.join(dir, 'postgres')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql; ' +
        'run scripts/system-deps.sh (apt-get install postgresql)',
    );
  }
  return found;
}

// PostgreSQL refuses to run as root; as root the server runs as the `postgres` system user.
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  const data = path.join(dir, 'data');
  const user = 'backstage';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(path.join(dir, 'pwfile'), password);
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  }
  const [initCmd, initArgs] = asServerUser(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    '--auth=scram-sha-256',
    `--pwfile=${path.join(dir, 'pwfile')}`,
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });

  const port = await freePort();
  const [cmd, args] = asServerUser(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', d => (log += d));
  child.stderr?.on('data', d => (log += d));

  const deadline = Date.now() + 30_000;
  while (!/ready to accept connections/.test(log)) {
    if (child.exitCode !== null) throw new Error(`postgres exited:\n${log}`);
    if (Date.now() > deadline)
      throw new Error(`postgres did not start:\n${log}`);
    await new Promise(r => setTimeout(r, 100));
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        // Signal the postmaster itself (its pid file), not the runuser wrapper: fast shutdown.
        const pid = Number(
          fs
            .readFileSync(path.join(data, 'postmaster.pid'), 'utf8')
            .split('\n')[0],
        );
        process.kill(pid, 'SIGINT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
