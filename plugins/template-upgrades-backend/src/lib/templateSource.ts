import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NotFoundError } from '@backstage/errors';
import {
  TEMPLATE_VERSION_ANNOTATION,
  isTemplateVersion,
} from '@internal/plugin-template-upgrades-common';
import { git } from './git';

/** Where one template's versions come from (`templateUpgrades.templates[]`). */
export interface TemplateLocation {
  /** The Template entity's `metadata.name`. */
  name: string;
  /** A git URL or a local path of the repository the template is maintained in. */
  repository: string;
  /** The template's folder in that repository (holds `template.yaml`). */
  path: string;
  /** The branch or commit of the current version; default the repository's HEAD. */
  ref?: string;
}

/** A template at one version: a folder holding `template.yaml` and what it fetches. */
export interface TemplateAtVersion {
  name: string;
  version: string;
  /** The commit it was read from. */
  commit: string;
  dir: string;
  template: any;
}

/** The git tag a released version is found by: `<template>@<version>`. */
export function versionTag(name: string, version: string): string {
  return `${name}@${version}`;
}

/**
 * The versions of one template in its repository: the current one at `ref` (its
 * `template.yaml` declares the version), older ones at the tags `<template>@<version>`.
 */
export class TemplateSource {
  private clone?: Promise<string>;
  /** One folder holds the clone and every version read from it; dispose() removes it. */
  private root?: string;

  constructor(
    private readonly location: TemplateLocation,
    private readonly workDir: string = os.tmpdir(),
  ) {}

  private folder(): string {
    if (!this.root) {
      this.root = fs.mkdtempSync(
        path.join(this.workDir, `template-source-${this.name}-`),
      );
    }
    return this.root;
  }

  get name(): string {
    return this.location.name;
  }

  private repo(): Promise<string> {
    if (!this.clone) {
      this.clone = (async () => {
        const dir = path.join(this.folder(), 'repository.git');
        await git(
          ['clone', '--quiet', '--bare', this.location.repository, dir],
          {
            cwd: this.folder(),
          },
        );
        return dir;
      })();
    }
    return this.clone;
  }

  /**
   * Removes the clone and every version read from it, so the next call clones again and sees
   * new tags and commits.
   */
  async dispose(): Promise<void> {
    await this.clone?.catch(() => undefined);
    this.clone = undefined;
    const root = this.root;
    this.root = undefined;
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }

  private async checkout(
    ref: string,
    version?: string,
  ): Promise<TemplateAtVersion> {
    const repo = await this.repo();
    const commit = (
      await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
        cwd: repo,
        okCodes: [1],
      })
    ).stdout.trim();
    if (!commit) {
      throw new NotFoundError(
        version
          ? `Version ${version} of ${this.name} has no tag ${versionTag(
              this.name,
              version,
            )} in ${this.location.repository}; tag the commit that released it`
          : `${this.location.repository} has no ${ref}`,
      );
    }
    const dir = fs.mkdtempSync(path.join(this.folder(), 'version-'));
    await extractTree(repo, `${commit}:${this.location.path}`, dir).catch(
      () => {
        throw new NotFoundError(
          `${this.location.repository} has no folder ${this.location.path} at ${ref}`,
        );
      },
    );
    const templateFile = path.join(dir, 'template.yaml');
    if (!fs.existsSync(templateFile)) {
      throw new NotFoundError(
        `${this.location.path}/template.yaml is missing at ${ref} in ${this.location.repository}`,
      );
    }
    const template = parseYaml(fs.readFileSync(templateFile, 'utf8'));
    const declared =
      template?.metadata?.annotations?.[TEMPLATE_VERSION_ANNOTATION];
    if (!isTemplateVersion(declared)) {
      throw new NotFoundError(
        `${this.location.path}/template.yaml at ${ref} declares no ${TEMPLATE_VERSION_ANNOTATION} of the form MAJOR.MINOR.PATCH`,
      );
    }
    if (version && declared !== version) {
      throw new NotFoundError(
        `The tag ${ref} holds version ${declared} of ${this.name}, not ${version}; move the tag to the commit that released ${version}`,
      );
    }
    return {
      name: this.name,
      version: String(declared),
      commit,
      dir,
      template,
    };
  }

  /** The current version, at `ref`. */
  current(): Promise<TemplateAtVersion> {
    return this.checkout(this.location.ref ?? 'HEAD');
  }

  /** A released version; the current one when `version` is what `ref` declares. */
  async at(
    version: string,
    current?: TemplateAtVersion,
  ): Promise<TemplateAtVersion> {
    const latest = current ?? (await this.current());
    if (latest.version === version) return latest;
    return this.checkout(
      `refs/tags/${versionTag(this.name, version)}`,
      version,
    );
  }

  /** The subjects of the commits that changed the template between two versions, oldest first. */
  async changesBetween(
    from: TemplateAtVersion,
    to: TemplateAtVersion,
  ): Promise<string[]> {
    const repo = await this.repo();
    const { stdout } = await git(
      [
        'log',
        '--reverse',
        '--format=%s',
        `${from.commit}..${to.commit}`,
        '--',
        this.location.path,
      ],
      { cwd: repo },
    );
    return stdout.split('\n').filter(Boolean);
  }
}

async function extractTree(repo: string, treeish: string, dir: string) {
  const { stdout } = await git(['ls-tree', '-r', '-z', treeish], { cwd: repo });
  for (const entry of stdout.split('\0').filter(Boolean)) {
    const [meta, file] = entry.split('\t');
    const [, type, object] = meta.split(' ');
    if (type !== 'blob') continue;
    const content = await gitBlob(repo, object);
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

async function gitBlob(repo: string, object: string): Promise<Buffer> {
  return (await git(['cat-file', 'blob', object], { cwd: repo })).raw;
}
