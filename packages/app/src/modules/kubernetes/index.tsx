import {
  coreExtensionData,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import kubernetesPlugin from '@backstage/plugin-kubernetes/alpha';
import { NoClusterGate } from './NoClusterGate';

/**
 * The Kubernetes plugin's entity tab, its element wrapped so that a portal without any cluster
 * says so in one line (NoClusterGate) instead of "No resources on any known clusters"; its path,
 * title and filter stay the plugin's.
 */
export const kubernetesContent = kubernetesPlugin
  .getExtension('entity-content:kubernetes/kubernetes')
  .override({
    factory(originalFactory) {
      const original = originalFactory();
      return [...original].map(data =>
        data.id === coreExtensionData.reactElement.id
          ? coreExtensionData.reactElement(
              <NoClusterGate>{data.value as JSX.Element}</NoClusterGate>,
            )
          : data,
      );
    },
  });

export const kubernetesModule = createFrontendModule({
  pluginId: 'kubernetes',
  extensions: [kubernetesContent],
});
