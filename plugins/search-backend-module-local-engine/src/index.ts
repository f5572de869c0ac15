/**
 * The search engine of a portal without PostgreSQL.
 *
 * @packageDocumentation
 */
export { searchModuleLocalEngine as default } from './module';
export { LocalSearchEngine } from './engine';
