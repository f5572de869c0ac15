import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { kubernetesApiRef } from '@backstage/plugin-kubernetes-react';
import { NoClusterGate } from './NoClusterGate';
import { kubernetesContent } from './index';

/** The kubernetes backend's `GET /clusters`, as kubernetesApi.getClusters() answers it. */
function kubernetesApi(clusters: () => Promise<Array<{ name: string }>>) {
  return { getClusters: clusters } as any;
}

describe('the Kubernetes tab', () => {
  it('says in one line that no cluster is configured, with a link to the docs, when the kubernetes backend knows none', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[[kubernetesApiRef, kubernetesApi(async () => [])]]}
      >
        <NoClusterGate>
          <p>stock tab</p>
        </NoClusterGate>
      </TestApiProvider>,
    );
    const line = await screen.findByText(
      /^No Kubernetes cluster is configured in this portal/,
    );
    expect(line).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'How to connect one' }),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/golden-path-portal/deployment/#kubernetes',
    );
    expect(screen.queryByText('stock tab')).toBeNull();
  });

  it("shows the plugin's own tab when a cluster is configured, where no resources means no resources", async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [kubernetesApiRef, kubernetesApi(async () => [{ name: 'aks-prod' }])],
        ]}
      >
        <NoClusterGate>
          <p>stock tab</p>
        </NoClusterGate>
      </TestApiProvider>,
    );
    expect(await screen.findByText('stock tab')).toBeInTheDocument();
    expect(screen.queryByText(/No Kubernetes cluster/)).toBeNull();
  });

  it("leaves the answer to the plugin's tab when the clusters cannot be read", async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            kubernetesApiRef,
            kubernetesApi(async () => {
              throw new Error('403');
            }),
          ],
        ]}
      >
        <NoClusterGate>
          <p>stock tab</p>
        </NoClusterGate>
      </TestApiProvider>,
    );
    expect(await screen.findByText('stock tab')).toBeInTheDocument();
  });

  it("keeps the plugin's extension id, path and title, its element inside the gate", async () => {
    const tester = createExtensionTester(kubernetesContent);
    expect(kubernetesContent).toMatchObject({
      kind: 'entity-content',
      name: 'kubernetes',
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/kubernetes');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Kubernetes',
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[[kubernetesApiRef, kubernetesApi(async () => [])]]}
      >
        {tester.reactElement()}
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/^No Kubernetes cluster is configured/),
    ).toBeInTheDocument();
  });
});
