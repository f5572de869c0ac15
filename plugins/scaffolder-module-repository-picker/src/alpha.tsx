import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';
import { validateRepositoryLocation } from './lib/validation';

/**
 * The `RepositoryPicker` form field (`ui:field: RepositoryPicker`, `ui:options.allowedHosts`).
 *
 * @alpha
 */
export const repositoryPickerFormField = FormFieldBlueprint.make({
  name: 'repository-picker',
  params: {
    field: () =>
      import('./components/RepositoryPicker/RepositoryPicker').then(m =>
        createFormField({
          name: 'RepositoryPicker',
          component: m.RepositoryPicker,
          validation: (value, validation, context) =>
            validateRepositoryLocation(
              value as string | undefined,
              message => validation.addError(message),
              context.apiHolder,
            ),
        }),
      ),
  },
});

/**
 * Adds the `RepositoryPicker` form field to the scaffolder (new frontend system).
 *
 * @alpha
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [repositoryPickerFormField],
});
