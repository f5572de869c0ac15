/**
 * Test helpers shared by the portal's scaffolder modules.
 *
 * @packageDocumentation
 */
export { createTestActionContext } from './createTestActionContext';
