import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The `CloudflareAccountPicker` form field (`ui:field: CloudflareAccountPicker`): the Cloudflare
 * accounts the token of the owner group chosen in the form reaches.
 *
 * @alpha
 */
export const cloudflareAccountPickerFormField = FormFieldBlueprint.make({
  name: 'cloudflare-account-picker',
  params: {
    field: () =>
      import(
        './components/CloudflareAccountPicker/CloudflareAccountPicker'
      ).then(m =>
        createFormField({
          name: 'CloudflareAccountPicker',
          component: m.CloudflareAccountPicker,
        }),
      ),
  },
});

/**
 * The `CloudflareEnginePicker` form field (`ui:field: CloudflareEnginePicker`): the engine select,
 * with the engine the deploy will get on this account and its monthly cost.
 *
 * @alpha
 */
export const cloudflareEnginePickerFormField = FormFieldBlueprint.make({
  name: 'cloudflare-engine-picker',
  params: {
    field: () =>
      import('./components/CloudflareEnginePicker/CloudflareEnginePicker').then(
        m =>
          createFormField({
            name: 'CloudflareEnginePicker',
            component: m.CloudflareEnginePicker,
          }),
      ),
  },
});

/**
 * Adds the `CloudflareAccountPicker` and `CloudflareEnginePicker` form fields to the scaffolder
 * (new frontend system).
 *
 * @alpha
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [
    cloudflareAccountPickerFormField,
    cloudflareEnginePickerFormField,
  ],
});
