import { buildContextFiles } from '@internal/plugin-scaffolder-node-test-utils';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { readRepoFile, readYamlDocuments } from './files';

/*
 * These tests lint the Dockerfile and check, instruction by instruction, the properties the image
 * promises: multi-stage, non-root, no dev dependencies, no compilers at run time, native modules
 * built on the runtime's base image. The image itself is built with buildah and run by
 * image.test.ts (scripts/test.sh's image steps).
 */

interface Stage {
  from: string;
  name?: string;
  instructions: Array<{ keyword: string; args: string }>;
}

/** The Dockerfile's stages: continuation lines joined, comments dropped, one stage per FROM. */
function stages(content: string): {
  args: Record<string, string>;
  stages: Stage[];
} {
  const lines = content
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const result: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      result.push({ from: image, name, instructions: [] });
    } else if (result.length === 0 && upper === 'ARG') {
      const [key, value] = rest.split('=');
      args[key] = value;
    } else {
      result[result.length - 1].instructions.push({
        keyword: upper,
        args: rest,
      });
    }
  }
  return { args, stages: result };
}

const content = readRepoFile('Dockerfile');
const { args, stages: all } = stages(content);
const runtime = all[all.length - 1];
const stageNamed = (name: string) => {
  const stage = all.find(s => s.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage named ${name}`);
  return stage;
};
const runs = (stage: Stage) =>
  stage.instructions.filter(i => i.keyword === 'RUN').map(i => i.args);

describe('the portal Dockerfile', () => {
  it('has no problems dockerfile-utils reports', () => {
    const problems = lintDockerfile(content).map(
      d => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('builds in separate stages and copies only results into the runtime stage', () => {
    expect(all.map(s => s.name)).toEqual([
      'skeleton',
      'build',
      'production-dependencies',
      undefined,
    ]);
    const copiedFrom = runtime.instructions
      .filter(i => i.keyword === 'COPY')
      .map(i => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean);
    expect(new Set(copiedFrom)).toEqual(
      new Set(['production-dependencies', 'build']),
    );
  });

  it('uses the Node version the repository runs on (scripts/env.sh)', () => {
    const nodeVersion = /^NODE_VERSION=(\S+)$/m.exec(
      readRepoFile('scripts/env.sh'),
    )?.[1];
    expect(args.NODE_IMAGE).toBe(`node:${nodeVersion}-bookworm-slim`);
    // Every stage on the same base image, so native modules match the runtime's Node and libc.
    expect(all.map(s => s.from)).toEqual(all.map(() => '${NODE_IMAGE}'));
  });

  it('installs only production dependencies, compiled in a stage like the runtime', () => {
    const install = runs(stageNamed('production-dependencies')).join('\n');
    expect(install).toContain('yarn workspaces focus backend --production');
    expect(install).toMatch(/apt-get install .*g\+\+/);
    const runtimeRuns = runs(runtime).join('\n');
    expect(runtimeRuns).not.toMatch(/yarn|npm|g\+\+|make|python3/);
  });

  it('runs as the unprivileged node user, with files it cannot modify', () => {
    const users = runtime.instructions.filter(i => i.keyword === 'USER');
    expect(users.map(u => u.args)).toEqual(['node']);
    const userIndex = runtime.instructions.indexOf(users[0]);
    // Everything copied before switching users, owned by root.
    const copies = runtime.instructions
      .map((instruction, index) => ({ ...instruction, index }))
      .filter(i => i.keyword === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.filter(c => c.index > userIndex)).toEqual([]);
    expect(copies.filter(c => !c.args.includes('--chown=root:root'))).toEqual(
      [],
    );
  });

  it('starts the backend with the production config on the port that config listens on', () => {
    const [production] = readYamlDocuments('app-config.production.yaml');
    const expose = runtime.instructions.find(i => i.keyword === 'EXPOSE');
    expect(expose?.args).toBe(String(production.backend.listen.port));
    const cmd = JSON.parse(
      runtime.instructions.find(i => i.keyword === 'CMD')!.args,
    );
    expect(cmd).toEqual([
      'node',
      '.',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.production.yaml',
    ]);
    expect(
      runtime.instructions.find(
        i => i.keyword === 'WORKDIR' && i.args.includes('backend'),
      )?.args,
    ).toBe('/app/packages/backend');
  });

  it('keeps host build output and local data out of the build context', () => {
    // Matched with Docker's own rules, as the engine does (buildContext.test.ts checks every
    // .gitignore pattern the same way).
    const probes = [
      'node_modules/react/index.js',
      'packages/backend/node_modules/pg/index.js',
      'packages/app/dist/index.html',
      '.data/git/repo.git/HEAD',
      '.tools/node/bin/node',
      'app-config.local.yaml',
      'templates/python-dashboard-service/app-config.local.yaml',
    ];
    expect(buildContextFiles(probes, readRepoFile('.dockerignore'))).toEqual(
      [],
    );
  });
});
