/**
 * Test helpers shared by the portal's packages: a scaffolder action's task context, and the
 * Docker build context a `.dockerignore` leaves.
 *
 * @packageDocumentation
 */
export { createTestActionContext } from './createTestActionContext';
export {
  buildContextFiles,
  contextCopies,
  entrypointOf,
  filesCopiedBy,
  missingCopySources,
  type ContextCopy,
} from './dockerBuildContext';
