/**
 * The scaffolder form field `RepositoryPicker`, for the new frontend system from `./alpha`.
 *
 * @packageDocumentation
 */
export {
  serializeRepoUrl,
  parseRepoUrl,
  missingParts,
  type RepositoryLocation,
  type RepositoryHostType,
} from './lib/repoUrl';
