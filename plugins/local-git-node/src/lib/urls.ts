/*
 * The URLs of the local git server: `<base>/<repository>.git` to clone and push, and
 * `<base>/<repository>/tree/<branch>/<dir>` or `…/blob/<branch>/<file>` for what is in it. Node
 * imports this file directly (type stripping): erasable TypeScript only.
 */
import { repositoryNameProblem } from '../server/repositoryName.ts';

/** A place in a repository of the local git server. @public */
export interface LocalGitLocation {
  repository: string;
  /** A branch name (no slashes). */
  ref: string;
  /** Path in the repository, no leading slash; empty for the root. */
  path: string;
}

/**
 * The repository, branch and path of a local git server URL under `baseUrl`, or undefined when
 * the URL is not one (another host, a bad repository name, a path that climbs out with `..`).
 *
 * @public
 */
export function parseLocalGitUrl(
  url: string,
  baseUrl: string,
): LocalGitLocation | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== new URL(baseUrl).origin) {
    return undefined;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  const match = pathname.match(
    /^\/([^/]+)(?:\/(?:tree|blob)\/([^/]+)(?:\/(.*))?)?\/?$/,
  );
  if (!match || repositoryNameProblem(match[1])) {
    return undefined;
  }
  const [, repository, ref = 'main', rest = ''] = match;
  const segments = rest.split('/').filter(Boolean);
  if (segments.some(s => s === '..' || s === '.') || /^-/.test(ref)) {
    return undefined;
  }
  return { repository, ref, path: segments.join('/') };
}

/** The URL of a repository's files at `ref` (`<base>/<repository>/tree/<ref>`). @public */
export function localGitContentsUrl(
  baseUrl: string,
  repository: string,
  ref = 'main',
): string {
  return `${baseUrl}/${repository}/tree/${ref}`;
}

/** The URL `git clone` and `git push` take. @public */
export function localGitCloneUrl(baseUrl: string, repository: string): string {
  return `${baseUrl}/${repository}.git`;
}
