/*
 * A template repository with two versions of a small template, made with real git: 1.0.0 tagged
 * `svc@1.0.0`, 1.1.0 on main. 1.1.0 changes a line of config/app.yaml, asks a new question with a
 * default (probePath), renames old-name.txt to new-name.txt, removes obsolete.txt and adds
 * NEW.md.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TEMPLATE = (
  version: string,
  newQuestion: boolean,
) => `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: svc
  annotations:
    portal.golden-path/template-version: ${version}
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - required: [name, owner, repoLocation]
      properties:
        name: { type: string }
        owner: { type: string }
        repoLocation: { type: string }
        greeting: { type: string, default: Hello }
${
  newQuestion ? '        probePath: { type: string, default: /health }\n' : ''
}  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: \${{ parameters.name }}
          owner: \${{ parameters.owner }}
          repoLocation: \${{ parameters.repoLocation }}
          greeting: \${{ parameters.greeting }}
${
  newQuestion ? '          probePath: ${{ parameters.probePath }}\n' : ''
}          template: { name: svc, version: ${version} }
          answers:
            name: \${{ parameters.name }}
            owner: \${{ parameters.owner }}
            repoLocation: \${{ parameters.repoLocation }}
            greeting: \${{ parameters.greeting }}
${
  newQuestion ? '            probePath: ${{ parameters.probePath }}\n' : ''
}    - id: publish
      action: publish:github
      input: { repoUrl: 'github.com?owner=x&repo=y' }
`;

const RECORD =
  '${{ { "template": values.template.name, "version": values.template.version, "answers": values.answers } | dump(2) }}\n';

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: \${{ values.name }}
  annotations:
    backstage.io/source-location: url:\${{ values.repoLocation }}
    portal.golden-path/template-name: \${{ values.template.name }}
    portal.golden-path/template-version: \${{ values.template.version | dump }}
spec:
  type: service
  lifecycle: experimental
  owner: \${{ values.owner }}
`;

const RENAMED = `This file is generated.
It says ${'${{ values.greeting }}'} to ${'${{ values.name }}'}.
Line three.
`;

function app(replicas: number, probe: boolean) {
  return `name: \${{ values.name }}
replicas: ${replicas}
port: 8080
${probe ? 'probe: ${{ values.probePath }}\n' : ''}logLevel: info
`;
}

function write(dir: string, files: Record<string, string>) {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

const runGit = (cwd: string, args: string[]) =>
  execFileSync('git', args, {
    cwd,
    stdio: 'pipe',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Platform team',
      GIT_AUTHOR_EMAIL: 'platform@example.com',
      GIT_COMMITTER_NAME: 'Platform team',
      GIT_COMMITTER_EMAIL: 'platform@example.com',
    },
  }).toString();

const run = (cwd: string, ...args: string[]): string => {
  try {
    return runGit(cwd, args);
  } catch (error: any) {
    throw new Error(
      `git ${args.join(' ')}: ${error.stderr?.toString() ?? error}`,
    );
  }
};

/** Makes the repository under `dir`; the template lives in `templates/svc`. */
export function createTemplateRepo(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  run(dir, 'init', '--quiet', '--initial-branch=main');
  const t = path.join(dir, 'templates/svc');
  write(t, {
    'template.yaml': TEMPLATE('1.0.0', false),
    'skeleton/.template-record.json': RECORD,
    'skeleton/catalog-info.yaml': CATALOG,
    'skeleton/README.md':
      '# ${{ values.name }}\n\nOwned by ${{ values.owner }}.\n',
    'skeleton/config/app.yaml': app(2, false),
    'skeleton/old-name.txt': RENAMED,
    'skeleton/obsolete.txt': 'No longer needed in 1.1.0.\n',
  });
  run(dir, 'add', '-A');
  run(dir, 'commit', '--quiet', '-m', 'svc 1.0.0');
  run(dir, 'tag', 'svc@1.0.0');
  fs.renameSync(
    path.join(t, 'skeleton/old-name.txt'),
    path.join(t, 'skeleton/new-name.txt'),
  );
  fs.rmSync(path.join(t, 'skeleton/obsolete.txt'));
  write(t, {
    'template.yaml': TEMPLATE('1.1.0', true),
    'skeleton/config/app.yaml': app(3, true),
    'skeleton/NEW.md': 'Added in 1.1.0 for ${{ values.name }}.\n',
  });
  run(dir, 'add', '-A');
  run(
    dir,
    'commit',
    '--quiet',
    '-m',
    'Three replicas and a probe path by default',
  );
  run(dir, 'commit', '--quiet', '--allow-empty', '-m', 'svc 1.1.0');
  return dir;
}

/** git, asynchronously: for clones and pushes to a server in this same process. */
export async function gitNet(cwd: string, ...args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile('git', args, { cwd }, (error, _stdout, stderr) =>
      error
        ? reject(new Error(`git ${args[2] ?? args[0]}: ${stderr}`))
        : resolve(),
    ),
  );
}

export { run as gitIn };
