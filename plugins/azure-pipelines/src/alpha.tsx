import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { azurePipelinesApiRef } from './api/AzurePipelinesApi';
import { AzurePipelinesClient } from './api/AzurePipelinesClient';

/** @alpha */
export const azurePipelinesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: azurePipelinesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AzurePipelinesClient(deps),
    }),
});

/**
 * The pipeline-runs card, on entities that name their pipeline (`dev.azure.com/build-definition`).
 *
 * @alpha
 */
export const pipelineRunsEntityCard = EntityCardBlueprint.make({
  params: {
    filter: {
      'metadata.annotations.dev.azure.com/build-definition': { $exists: true },
    },
    loader: () =>
      import('./components/EntityPipelineRunsCard/EntityPipelineRunsCard').then(
        m => <m.EntityPipelineRunsCard />,
      ),
  },
});

/**
 * The Azure pipelines plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'azure-pipelines',
  title: 'Azure pipelines',
  info: { packageJson: () => import('../package.json') },
  extensions: [azurePipelinesApi, pipelineRunsEntityCard],
});
