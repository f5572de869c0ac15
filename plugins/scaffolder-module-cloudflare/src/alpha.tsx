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
 * Adds the `CloudflareAccountPicker` form field to the scaffolder (new frontend system).
 *
 * @alpha
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [cloudflareAccountPickerFormField],
});
