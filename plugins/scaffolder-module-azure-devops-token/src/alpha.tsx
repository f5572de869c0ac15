import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';

export { TeamResourceSelect } from './components/TeamResourceSelect';
export type { TeamResourceSelectProps } from './components/TeamResourceSelect';

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
 * The `AzurePipelineResourcePicker` form field (`ui:field: AzurePipelineResourcePicker`, with
 * `ui:options.kind` `registry`, `kubernetes` or `environment`): the service connections or
 * environments the portal grants the owner group chosen in the form.
 *
 * @alpha
 */
export const azurePipelineResourcePickerFormField = FormFieldBlueprint.make({
  name: 'azure-pipeline-resource-picker',
  params: {
    field: () =>
      import(
        './components/AzurePipelineResourcePicker/AzurePipelineResourcePicker'
      ).then(m =>
        createFormField({
          name: 'AzurePipelineResourcePicker',
          component: m.AzurePipelineResourcePicker,
        }),
      ),
  },
});

/**
 * Adds the `AzureDevOpsUserToken` and `AzurePipelineResourcePicker` form fields to the scaffolder
 * (new frontend system).
 *
 * @alpha
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [
    azureDevOpsUserTokenFormField,
    azurePipelineResourcePickerFormField,
  ],
});
