import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The `AzureDevOpsUserToken` form field (`ui:field: AzureDevOpsUserToken`).
 *
 * @alpha
 */
export const azureDevOpsUserTokenFormField = FormFieldBlueprint.make({
  name: 'azure-devops-user-token',
  params: {
    field: () =>
      import(
        './components/AzureDevOpsUserTokenField/AzureDevOpsUserTokenField'
      ).then(m =>
        createFormField({
          name: 'AzureDevOpsUserToken',
          component: m.AzureDevOpsUserTokenField,
        }),
      ),
  },
});

/**
 * Adds the `AzureDevOpsUserToken` form field to the scaffolder (new frontend system).
 *
 * @alpha
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [azureDevOpsUserTokenFormField],
});
