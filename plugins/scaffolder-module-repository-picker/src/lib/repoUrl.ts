/** The host kinds the picker knows, as `GET /api/scaffolder/repository-hosts` names them. */
export type RepositoryHostType = 'local-git' | 'github' | 'azure';

/** What the picker holds; serialized as the scaffolder's repository URL. */
export interface RepositoryLocation {
  host: string;
  repo: string;
  owner?: string;
  organization?: string;
  project?: string;
}

/**
 * The repository URL the scaffolder's publish actions and `parseRepoUrl` read
 * (`<host>?owner=…&repo=…`, `<host>?organization=…&project=…&repo=…`, `<host>?repo=…`), with only
 * the parts the host's kind uses.
 */
export function serializeRepoUrl(
  type: RepositoryHostType,
  location: RepositoryLocation,
): string {
  const params = new URLSearchParams();
  if (type === 'github' && location.owner) params.set('owner', location.owner);
  if (type === 'azure') {
    if (location.organization)
      params.set('organization', location.organization);
    if (location.project) params.set('project', location.project);
  }
  if (location.repo) params.set('repo', location.repo);
  return `${location.host}?${params}`;
}

/** The parts of a repository URL; empty strings for what it lacks. */
export function parseRepoUrl(value: string | undefined): RepositoryLocation {
  try {
    const url = new URL(`https://${value ?? ''}`);
    return {
      host: value ? url.host : '',
      repo: url.searchParams.get('repo') ?? '',
      owner: url.searchParams.get('owner') ?? '',
      organization: url.searchParams.get('organization') ?? '',
      project: url.searchParams.get('project') ?? '',
    };
  } catch {
    return { host: '', repo: '' };
  }
}

/** What the location still lacks for its host's kind, as messages for the field. */
export function missingParts(
  type: RepositoryHostType | undefined,
  location: RepositoryLocation,
): string[] {
  const missing: string[] = [];
  if (!location.host) missing.push('choose where the repository is created');
  if (type === 'github' && !location.owner) {
    missing.push(
      'give the GitHub organization or user the repository belongs to',
    );
  }
  if (type === 'azure') {
    if (!location.organization)
      missing.push('give the Azure DevOps organization');
    if (!location.project) missing.push('give the Azure DevOps project');
  }
  if (!location.repo) missing.push('give the repository a name');
  return missing;
}
