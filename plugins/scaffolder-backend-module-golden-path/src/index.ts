/**
 * The scaffolder action `golden-path:verify`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGoldenPath as default } from './module';
export {
  createGoldenPathVerifyAction,
  VERIFY_ACTION_ID,
} from './actions/verify';
