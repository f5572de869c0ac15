/**
 * A scaffolder form field that offers the Cloudflare accounts the owner group's token reaches.
 * The field is exported for the new frontend system from `./alpha`.
 *
 * @packageDocumentation
 */
export type { CloudflareAccountPickerOptions } from './components/CloudflareAccountPicker/CloudflareAccountPicker';
