import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Entity,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  RECORD_FILE,
  ServiceUpgradeStatus,
  TEMPLATE_NAME_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
  UpgradeChange,
  UpgradeResult,
  compareVersions,
  parseTemplateRecord,
  upgradeBranchName,
} from '@internal/plugin-template-upgrades-common';
import { git } from '../lib/git';
import { mergeUpgrade } from '../lib/merge';
import type { TemplateRenderer } from '../lib/render';
import { serviceRepository } from '../lib/repository';
import { TemplateAtVersion, TemplateSource } from '../lib/templateSource';

/** Who asks: a signed-in user (checked against the owner), or the portal itself (the command). */
export type Caller =
  | { type: 'user'; userEntityRef: string; credentials: BackstageCredentials }
  | { type: 'portal'; credentials: BackstageCredentials };

export interface UpgradeServiceOptions {
  config: Config;
  catalog: CatalogService;
  logger: LoggerService;
  renderer: TemplateRenderer;
  /**
   * The configured templates' sources, made afresh per request (a fresh clone sees new tags at
   * once); each request disposes of them, which removes their clones.
   */
  sources: () => TemplateSource[];
  /** Groups whose members may upgrade any service (`templateUpgrades.adminGroups`). */
  adminGroups: string[];
}

function ownerOf(entity: Entity): string | undefined {
  return entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef;
}

/** Lists services made from the templates and opens or updates their upgrade pull requests. */
export class UpgradeService {
  constructor(private readonly options: UpgradeServiceOptions) {}

  /** Runs `fn` with fresh sources, and removes their clones afterwards. */
  private async withSources<T>(
    fn: (sources: TemplateSource[]) => Promise<T>,
  ): Promise<T> {
    const sources = this.options.sources();
    try {
      return await fn(sources);
    } finally {
      await Promise.all(sources.map(s => s.dispose()));
    }
  }

  private async groupsOf(caller: Caller): Promise<Set<string>> {
    if (caller.type !== 'user') return new Set();
    const user = await this.options.catalog.getEntityByRef(
      caller.userEntityRef,
      {
        credentials: caller.credentials,
      },
    );
    return new Set(
      (user?.relations ?? [])
        .filter(r => r.type === RELATION_MEMBER_OF)
        .map(r => r.targetRef.toLocaleLowerCase('en-US')),
    );
  }

  private canUpgrade(entity: Entity, caller: Caller, groups: Set<string>) {
    if (caller.type === 'portal') return true;
    const owner = ownerOf(entity)?.toLocaleLowerCase('en-US');
    return (
      (owner !== undefined && groups.has(owner)) ||
      this.options.adminGroups.some(g =>
        groups.has(g.toLocaleLowerCase('en-US')),
      )
    );
  }

  /** Every Component that names one of the configured templates (or `template`). */
  list(caller: Caller, template?: string): Promise<ServiceUpgradeStatus[]> {
    return this.withSources(sources =>
      this.listWith(sources, caller, template),
    );
  }

  private async listWith(
    sources: TemplateSource[],
    caller: Caller,
    template?: string,
  ): Promise<ServiceUpgradeStatus[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          [`metadata.annotations.${TEMPLATE_NAME_ANNOTATION}`]:
            template ?? sources.map(s => s.name),
        },
      },
      { credentials: caller.credentials },
    );
    const groups = await this.groupsOf(caller);
    const latest = new Map<string, Promise<TemplateAtVersion>>();
    return Promise.all(
      items.map(entity =>
        this.statusOf(sources, entity, caller, groups, latest),
      ),
    );
  }

  async get(entityRef: string, caller: Caller): Promise<ServiceUpgradeStatus> {
    const entity = await this.entity(entityRef, caller);
    const groups = await this.groupsOf(caller);
    return this.withSources(sources =>
      this.statusOf(sources, entity, caller, groups, new Map()),
    );
  }

  private async entity(entityRef: string, caller: Caller): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    return entity;
  }

  private async statusOf(
    sources: TemplateSource[],
    entity: Entity,
    caller: Caller,
    groups: Set<string>,
    latest: Map<string, Promise<TemplateAtVersion>>,
  ): Promise<ServiceUpgradeStatus> {
    const annotations = entity.metadata.annotations ?? {};
    const name = annotations[TEMPLATE_NAME_ANNOTATION] ?? '';
    const version = annotations[TEMPLATE_VERSION_ANNOTATION] ?? null;
    const status: ServiceUpgradeStatus = {
      entityRef: stringifyEntityRef(entity),
      title: entity.metadata.title,
      owner: ownerOf(entity),
      template: { name, version, latest: null },
      state: 'unknown',
      canUpgrade: this.canUpgrade(entity, caller, groups),
    };
    const source = sources.find(s => s.name === name);
    if (!source) {
      status.problem = name
        ? `The portal has no templateUpgrades.templates entry for ${name}`
        : `The entity has no ${TEMPLATE_NAME_ANNOTATION} annotation`;
      return status;
    }
    try {
      if (!latest.has(name)) latest.set(name, source.current());
      const current = await latest.get(name)!;
      status.template.latest = current.version;
      if (!version) {
        status.problem = `The entity has no ${TEMPLATE_VERSION_ANNOTATION} annotation`;
        return status;
      }
      status.state =
        compareVersions(version, current.version) < 0 ? 'behind' : 'current';
      if (status.state === 'behind') {
        const repo = serviceRepository(entity, this.options.config);
        const pr = await repo.pullRequests.findOpen(upgradeBranchName(name));
        if (pr) status.pullRequest = { ...pr, state: 'open' };
      }
    } catch (error) {
      status.problem = (error as Error).message;
    }
    if (!status.canUpgrade && !status.problem) {
      status.problem = `Only members of ${
        status.owner ?? 'the owning team'
      } may upgrade it`;
    }
    return status;
  }

  /**
   * Upgrades one service: renders the template at its recorded version and at the current one
   * with its recorded answers, merges the difference into its main branch, pushes the upgrade
   * branch and opens its pull request, or updates the one that is open. A dry run merges
   * locally and pushes nothing.
   */
  upgrade(
    entityRef: string,
    caller: Caller,
    options: { dryRun?: boolean } = {},
  ): Promise<UpgradeResult> {
    return this.withSources(sources =>
      this.upgradeWith(sources, entityRef, caller, options),
    );
  }

  private async upgradeWith(
    sources: TemplateSource[],
    entityRef: string,
    caller: Caller,
    options: { dryRun?: boolean },
  ): Promise<UpgradeResult> {
    const entity = await this.entity(entityRef, caller);
    const ref = stringifyEntityRef(entity);
    const groups = await this.groupsOf(caller);
    if (!this.canUpgrade(entity, caller, groups)) {
      throw new NotAllowedError(
        `Only members of ${
          ownerOf(entity) ?? 'the owning team'
        } may upgrade ${ref}; you are signed in as ${
          caller.type === 'user' ? caller.userEntityRef : 'the portal'
        }. Ask a member of the owning team to open the upgrade`,
      );
    }
    const name = entity.metadata.annotations?.[TEMPLATE_NAME_ANNOTATION];
    const source = name ? sources.find(s => s.name === name) : undefined;
    if (!name || !source) {
      throw new NotFoundError(
        name
          ? `The portal has no templateUpgrades.templates entry for ${name}`
          : `${ref} has no ${TEMPLATE_NAME_ANNOTATION} annotation: it was not made from a template the portal upgrades`,
      );
    }
    const repo = serviceRepository(entity, this.options.config);
    const branch = upgradeBranchName(name);
    const current = await source.current();

    // The record on main holds the answers; its version is the one main's files are at.
    const { files: mainFiles, dispose: disposeMain } = await readRecordFromMain(
      repo,
    );
    let record;
    try {
      const text = mainFiles;
      if (text === undefined) {
        throw new NotFoundError(
          `${ref}'s repository has no ${RECORD_FILE} on ${repo.defaultBranch}, so the answers it was made with are unknown`,
        );
      }
      record = parseTemplateRecord(text);
    } finally {
      disposeMain();
    }
    if (record.template !== name) {
      throw new ConflictError(
        `${RECORD_FILE} names the template ${record.template}, the entity ${name}; correct one of them`,
      );
    }
    if (compareVersions(record.version, current.version) >= 0) {
      return {
        entityRef: ref,
        result: 'none',
        changes: [],
        summary: `${ref} is at version ${record.version} of ${name}, the current one.`,
      };
    }
    const old = await source.at(record.version, current);
    const [before, after] = await Promise.all([
      this.options.renderer.render(old, record.answers),
      this.options.renderer.render(current, record.answers),
    ]);
    const title = `Upgrade ${name} from ${record.version} to ${current.version}`;
    const merge = await mergeUpgrade({
      cloneUrl: repo.cloneUrl,
      authorization: repo.authorization,
      defaultBranch: repo.defaultBranch,
      branch,
      before,
      after,
      message: title,
    });
    try {
      const commits = await source.changesBetween(old, current);
      const summary = describe({
        name,
        from: record.version,
        to: current.version,
        commits,
        templateChanges: merge.templateChanges,
        changes: merge.changes,
      });
      if (options.dryRun) {
        return {
          entityRef: ref,
          result: 'dry-run',
          changes: merge.changes,
          summary,
        };
      }
      const open = await repo.pullRequests.findOpen(branch);
      if (!merge.upToDate || !open) {
        await merge.push();
      }
      const pr = open
        ? await repo.pullRequests.update(open.number, { title, body: summary })
        : await repo.pullRequests.create({
            branch,
            base: repo.defaultBranch,
            title,
            body: summary,
          });
      this.options.logger.info(
        `${open ? 'Updated' : 'Opened'} the upgrade pull request of ${ref}: ${
          pr.url
        }`,
      );
      return {
        entityRef: ref,
        result: open ? 'updated' : 'opened',
        pullRequest: pr,
        changes: merge.changes,
        summary,
      };
    } finally {
      merge.dispose();
    }
  }
}

async function readRecordFromMain(repo: {
  cloneUrl: string;
  authorization: string;
  defaultBranch: string;
}): Promise<{ files: string | undefined; dispose: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await git(
      [
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--no-tags',
        '--branch',
        repo.defaultBranch,
        repo.cloneUrl,
        dir,
      ],
      { cwd: os.tmpdir(), authorization: repo.authorization },
    );
    const file = path.join(dir, RECORD_FILE);
    return {
      files: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined,
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

const VERB: Record<UpgradeChange['change'], string> = {
  added: 'added',
  modified: 'changed',
  removed: 'removed',
  renamed: 'renamed',
};

/** The pull request's description: what changed in the template, what it does here, conflicts. */
export function describe(o: {
  name: string;
  from: string;
  to: string;
  commits: string[];
  templateChanges: UpgradeChange[];
  changes: UpgradeChange[];
}): string {
  const lines = [
    `The template **${o.name}** moved from ${o.from} to ${o.to}. This pull request merges its changes into this repository; your own edits to generated files are kept.`,
    '',
    '### What changed in the template',
    '',
    ...(o.commits.length
      ? o.commits.map(c => `- ${c}`)
      : ['- (no commit messages)']),
    '',
    '### Files of the template',
    '',
    ...o.templateChanges.map(
      c =>
        `- \`${c.path}\` ${VERB[c.change]}${
          c.from ? ` (from \`${c.from}\`)` : ''
        }`,
    ),
  ];
  const conflicts = o.changes.filter(c => c.conflict);
  if (conflicts.length) {
    lines.push(
      '',
      '### Conflicts to resolve',
      '',
      'These files hold conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`): the template and your edits changed the same lines. Resolve them on this branch before merging.',
      '',
      ...conflicts.map(c => `- \`${c.path}\``),
    );
  }
  return lines.join('\n');
}
