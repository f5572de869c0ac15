/*
 * The names the local git server accepts for a repository. Node imports this file directly
 * (type stripping): erasable TypeScript only, nothing but `node:` imports.
 */

/**
 * A repository name: lowercase letters, digits, dots, underscores and hyphens, starting and ending
 * with a letter or digit, at most 100 characters. No slash and no `..`, so a name never leaves the
 * server's root directory.
 *
 * @public
 */
export const REPOSITORY_NAME_PATTERN =
  /^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$/;

/**
 * What is wrong with a repository name, in a sentence that says how to fix it, or undefined when
 * the name is fine.
 *
 * @public
 */
export function repositoryNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return 'A repository name is required: lowercase letters, digits, dots, underscores and hyphens';
  }
  if (!REPOSITORY_NAME_PATTERN.test(name) || name.includes('..')) {
    return `'${name}' is not a repository name: use at most 100 lowercase letters, digits, dots, underscores and hyphens, starting and ending with a letter or digit, without '..' or '/'`;
  }
  if (name.endsWith('.git')) {
    return `'${name}' ends with .git: give the name without it`;
  }
  return undefined;
}
