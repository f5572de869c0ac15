import { execFile } from 'node:child_process';

/** Who the upgrade commits are made as. */
export const COMMITTER = {
  name: 'Backstage portal',
  email: 'portal@backstage.invalid',
};

export interface GitOptions {
  cwd: string;
  /** An HTTP `Authorization` header value for the remote; passed through the environment only. */
  authorization?: string;
  env?: Record<string, string>;
  input?: Buffer;
  /** Exit codes that are answers, not failures (e.g. 1 of a cherry-pick with conflicts). */
  okCodes?: number[];
}

/**
 * Runs real `git`. The credentials go through `GIT_CONFIG_*` environment variables (never the
 * command line, which other processes can read, and never a file in the repository), and a
 * failure's message has them removed.
 */
export function git(
  args: string[],
  options: GitOptions,
): Promise<{ stdout: string; raw: Buffer; code: number }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: COMMITTER.name,
    GIT_AUTHOR_EMAIL: COMMITTER.email,
    GIT_COMMITTER_NAME: COMMITTER.name,
    GIT_COMMITTER_EMAIL: COMMITTER.email,
    ...options.env,
  };
  if (options.authorization) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: ${options.authorization}`;
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        if (code === 0 || options.okCodes?.includes(code)) {
          resolve({ stdout: stdout.toString('utf8'), raw: stdout, code });
          return;
        }
        let message = `git ${args[0]} failed: ${stderr
          .toString('utf8')
          .trim()}`;
        if (options.authorization) {
          message = message.split(options.authorization).join('***');
        }
        reject(new Error(message));
      },
    );
    if (options.input) {
      child.stdin?.end(options.input);
    }
  });
}
