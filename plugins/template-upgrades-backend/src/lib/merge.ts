import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UpgradeChange } from '@internal/plugin-template-upgrades-common';
import { git } from './git';
import { writeFiles } from './files';

export interface UpgradeMergeOptions {
  /** The service repository's clone URL. */
  cloneUrl: string;
  /** `Authorization` header value for git over HTTP; never written anywhere. */
  authorization?: string;
  /** The branch the repository's work happens on. */
  defaultBranch: string;
  /** The branch the upgrade is pushed to. */
  branch: string;
  /** The template rendered at the recorded version, and at the new one. */
  before: Map<string, Buffer>;
  after: Map<string, Buffer>;
  /** The commit message's first line. */
  message: string;
  /** Where to work; default the system's temporary folder. */
  workDir?: string;
}

export interface UpgradeMerge {
  /** The repository with the branch checked out at the upgrade commit. */
  dir: string;
  /** What the upgrade changes on the default branch, conflicts marked. */
  changes: UpgradeChange[];
  /** What the template itself changed between the two renders. */
  templateChanges: UpgradeChange[];
  /** Whether the remote branch already holds exactly this change on the current main. */
  upToDate: boolean;
  /** Pushes the branch (force: it only ever holds the portal's one upgrade commit). */
  push(): Promise<void>;
  dispose(): void;
}

async function commitTree(
  dir: string,
  files: Map<string, Buffer>,
  message: string,
  parent?: string,
): Promise<string> {
  const tree = fs.mkdtempSync(path.join(path.dirname(dir), 'render-'));
  const index = path.join(path.dirname(dir), `index-${path.basename(tree)}`);
  try {
    writeFiles(tree, files);
    const env = {
      GIT_INDEX_FILE: index,
      GIT_DIR: path.join(dir, '.git'),
      GIT_WORK_TREE: tree,
    };
    await git(['add', '--all', '--force', '.'], { cwd: tree, env });
    const treeId = (
      await git(['write-tree'], { cwd: tree, env })
    ).stdout.trim();
    const args = ['commit-tree', treeId, '-m', message];
    if (parent) args.push('-p', parent);
    return (await git(args, { cwd: dir })).stdout.trim();
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(index, { force: true });
  }
}

const STATUS: Record<string, UpgradeChange['change']> = {
  A: 'added',
  M: 'modified',
  D: 'removed',
  R: 'renamed',
  T: 'modified',
};

/** `git diff --name-status -M` between two commits, as changes. */
export async function diffChanges(
  dir: string,
  from: string,
  to: string,
  conflicts: Set<string> = new Set(),
): Promise<UpgradeChange[]> {
  const { stdout } = await git(
    ['diff', '--name-status', '-z', '-M', from, to],
    { cwd: dir },
  );
  const parts = stdout.split('\0').filter(Boolean);
  const changes: UpgradeChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++];
    const kind = STATUS[status[0]] ?? 'modified';
    if (kind === 'renamed') {
      const from_ = parts[i++];
      const to_ = parts[i++];
      changes.push({
        path: to_,
        change: kind,
        from: from_,
        conflict: conflicts.has(to_),
      });
    } else {
      const file = parts[i++];
      changes.push({ path: file, change: kind, conflict: conflicts.has(file) });
    }
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Merges what the template changed between two renders into the repository's current default
 * branch with git's own three-way merge: the old render is the merge base, the new render
 * "theirs", the default branch "ours" (a cherry-pick of the new render onto it). A team's edits
 * to a generated file are kept where the template did not change the same lines; a file the
 * template renamed keeps the team's edits under its new name (git's rename detection); a conflict
 * is committed with its markers, and named. Nothing is pushed until `push()`, and only to
 * `branch`.
 */
export async function mergeUpgrade(
  options: UpgradeMergeOptions,
): Promise<UpgradeMerge> {
  const root = fs.mkdtempSync(
    path.join(options.workDir ?? os.tmpdir(), 'upgrade-'),
  );
  const dir = path.join(root, 'repo');
  const auth = { authorization: options.authorization };
  const dispose = () => fs.rmSync(root, { recursive: true, force: true });
  try {
    await git(['clone', '--quiet', '--no-tags', options.cloneUrl, dir], {
      cwd: root,
      ...auth,
    });
    await git(
      [
        'checkout',
        '--quiet',
        '-B',
        options.branch,
        `origin/${options.defaultBranch}`,
      ],
      {
        cwd: dir,
      },
    );
    const base = await commitTree(
      dir,
      options.before,
      'template, as rendered at the recorded version',
    );
    const theirs = await commitTree(
      dir,
      options.after,
      'template, as rendered now',
      base,
    );
    const picked = await git(
      [
        '-c',
        'merge.conflictStyle=merge',
        'cherry-pick',
        '--no-commit',
        '--strategy=ort',
        theirs,
      ],
      { cwd: dir, okCodes: [1] },
    );
    const conflicts = new Set(
      (
        await git(['diff', '--name-only', '-z', '--diff-filter=U'], {
          cwd: dir,
        })
      ).stdout
        .split('\0')
        .filter(Boolean),
    );
    if (picked.code !== 0 && conflicts.size === 0) {
      throw new Error(
        'git could not apply the template change and reported no conflicted file',
      );
    }
    await git(['add', '--all'], { cwd: dir });
    const body =
      conflicts.size > 0
        ? `\n\nConflicts left with markers: ${[...conflicts].sort().join(', ')}`
        : '';
    await git(
      [
        'commit',
        '--quiet',
        '--allow-empty',
        '--no-verify',
        '-m',
        `${options.message}${body}`,
      ],
      {
        cwd: dir,
      },
    );
    await git(['cherry-pick', '--quit'], { cwd: dir, okCodes: [128] });
    const main = `origin/${options.defaultBranch}`;
    const changes = await diffChanges(dir, main, 'HEAD', conflicts);
    const templateChanges = await diffChanges(dir, base, theirs);

    // The remote branch is up to date when it sits on today's main and holds the same tree.
    const remote = await git(
      ['ls-remote', '--quiet', 'origin', `refs/heads/${options.branch}`],
      { cwd: dir, ...auth },
    );
    let upToDate = false;
    const remoteCommit = remote.stdout.split('\t')[0]?.trim();
    if (remoteCommit) {
      await git(['fetch', '--quiet', 'origin', remoteCommit], {
        cwd: dir,
        ...auth,
      });
      const [remoteTree, remoteParent, ourTree, mainCommit] = await Promise.all(
        [
          git(['rev-parse', `${remoteCommit}^{tree}`], { cwd: dir }),
          git(['rev-parse', `${remoteCommit}^`], { cwd: dir, okCodes: [128] }),
          git(['rev-parse', 'HEAD^{tree}'], { cwd: dir }),
          git(['rev-parse', main], { cwd: dir }),
        ],
      );
      upToDate =
        remoteTree.stdout.trim() === ourTree.stdout.trim() &&
        remoteParent.stdout.trim() === mainCommit.stdout.trim();
    }
    return {
      dir,
      changes,
      templateChanges,
      upToDate,
      async push() {
        await git(
          [
            'push',
            '--quiet',
            '--force',
            'origin',
            `HEAD:refs/heads/${options.branch}`,
          ],
          { cwd: dir, ...auth },
        );
      },
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}
