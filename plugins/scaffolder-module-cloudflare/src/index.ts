/**
 * Scaffolder form fields of the Cloudflare templates: the accounts the owner group's token
 * reaches, and the engine a deploy will get with its cost. The fields are exported for the new frontend system from `./alpha`.
 *
 * @packageDocumentation
 */
export type { CloudflareAccountPickerOptions } from './components/CloudflareAccountPicker/CloudflareAccountPicker';
export type {
  CloudflareEnginePickerOptions,
  CloudflareEnginePreview,
} from './components/CloudflareEnginePicker/CloudflareEnginePicker';
