import { execFileSync } from 'node:child_process';
import {
  buildContextFiles,
  contextCopies,
  missingCopySources,
} from '@internal/plugin-scaffolder-node-test-utils';
import { REPO_ROOT } from '../testing/backendProcess';
import { readRepoFile } from './files';

/*
 * `docker build .` at the repository root: the context is the checkout minus what `.dockerignore`
 * excludes, matched with Docker's own rules (@balena/dockerignore). Building the image itself is
 * another test's job; this one checks the context the build starts from.
 */

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });

/** The repository's files as a fresh checkout has them. */
const tracked = git('ls-files', '-z').split('\0').filter(Boolean);
const dockerignore = readRepoFile('.dockerignore');
const dockerfile = readRepoFile('Dockerfile');

/**
 * For each .gitignore pattern, paths it ignores: at the root and, for a pattern without an inner
 * slash (which git applies at any depth), inside a workspace and a template. Each is confirmed
 * with `git check-ignore`, so the list follows .gitignore as it changes.
 */
function gitIgnoredProbes(): string[] {
  const patterns = readRepoFile('.gitignore')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#') && !line.startsWith('!'));
  const probes = patterns.flatMap(pattern => {
    const bare = pattern.replace(/\/$/, '');
    const path = bare.replace(/\*/g, 'probe');
    const file = pattern.endsWith('/') ? `${path}/probe-file` : path;
    return bare.includes('/')
      ? [file]
      : [
          file,
          `plugins/probe/${file}`,
          `templates/python-dashboard-service/${file}`,
        ];
  });
  return probes.filter(probe => {
    try {
      git('check-ignore', '-q', '--no-index', probe);
      return true;
    } catch {
      return false;
    }
  });
}

describe('the portal build context', () => {
  const context = buildContextFiles(tracked, dockerignore);

  it("finds every stage's COPY sources from the build context in it", () => {
    const copies = contextCopies(dockerfile);
    // Stages skeleton, build and the runtime stage copy from the context.
    expect(new Set(copies.map(c => c.stage))).toEqual(
      new Set(['skeleton', 'build', '3']),
    );
    expect(missingCopySources(copies, context)).toEqual([]);
  });

  it('keeps every committed file, so `COPY . .` builds what the repository holds', () => {
    expect(tracked.filter(file => !context.includes(file))).toEqual([]);
  });

  it('keeps out everything .gitignore ignores: local config, credentials, data and build output', () => {
    const probes = gitIgnoredProbes();
    // The probes cover each kind: secrets, local state and build output.
    expect(probes).toEqual(
      expect.arrayContaining([
        '.env',
        'probe-credentials.yaml',
        'templates/python-dashboard-service/probe.local.yaml',
        '.data/probe-file',
        'plugins/probe/node_modules/probe-file',
        'plugins/probe/dist',
      ]),
    );
    expect(buildContextFiles(probes, dockerignore)).toEqual([]);
  });
});
