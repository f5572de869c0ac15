export { TeamResourceSelect } from './TeamResourceSelect';
export type { TeamResourceSelectProps } from './TeamResourceSelect';
