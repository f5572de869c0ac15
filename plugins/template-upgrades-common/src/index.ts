/**
 * What the template-upgrades backend and its page and card share: the annotation names, the
 * record file's name and format, and the shapes of the API's answers (docs/template-upgrades.md).
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './record';
export * from './types';
