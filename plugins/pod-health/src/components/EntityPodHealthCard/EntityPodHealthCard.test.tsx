import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  KubernetesApi,
  KubernetesAuthProvidersApi,
  KubernetesProxyApi,
  KubernetesProxyClient,
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
  kubernetesProxyApiRef,
} from '@backstage/plugin-kubernetes-react';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { EntityPodHealthCard } from './EntityPodHealthCard';
import { KUBERNETES_STAND_IN_RECORDED_AT } from '@internal/plugin-kubernetes-common/testing';
import { podKey } from '@internal/plugin-kubernetes-common';
import {
  salesDashboard,
  salesDashboardBySelector,
} from '../../__fixtures__/entities';
import {
  crashLoopLogPaths,
  oomkilledEventsByPod,
  responseFor,
  unreachable,
} from '@internal/plugin-kubernetes-common/testing';

const authProviders: KubernetesAuthProvidersApi = {
  decorateRequestBodyForAuth: async (_provider, body) => body,
  getCredentials: async () => ({}),
};

const AKS_PROD = [{ name: 'aks-prod', authProvider: 'serviceAccount' }];

function kubernetesApi(
  getObjectsByEntity: KubernetesApi['getObjectsByEntity'],
  clusters = AKS_PROD,
): KubernetesApi {
  return {
    getObjectsByEntity,
    getClusters: async () => clusters,
  } as Partial<KubernetesApi> as KubernetesApi;
}

function proxyApi(events = oomkilledEventsByPod()): KubernetesProxyApi {
  return {
    getEventsByInvolvedObjectName: async (request: {
      clusterName: string;
      namespace: string;
      involvedObjectName: string;
    }) =>
      events[
        podKey({
          cluster: request.clusterName,
          namespace: request.namespace,
          pod: request.involvedObjectName,
        })
      ] ?? [],
  } as unknown as KubernetesProxyApi;
}

function renderCard(
  getObjectsByEntity: KubernetesApi['getObjectsByEntity'],
  proxy: KubernetesProxyApi = proxyApi(),
  entity = salesDashboard,
  clusters = AKS_PROD,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [kubernetesApiRef, kubernetesApi(getObjectsByEntity, clusters)],
        [kubernetesAuthProvidersApiRef, authProviders],
        [kubernetesProxyApiRef, proxy],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityPodHealthCard />
        <p>Other overview cards</p>
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const answer = (response: ObjectsByEntityResponse) => async () => response;

describe('EntityPodHealthCard', () => {
  // The recordings, seen when they were made: restarts and probes count over the last hour.
  beforeEach(() => {
    jest.useFakeTimers({
      now: new Date(KUBERNETES_STAND_IN_RECORDED_AT),
      advanceTimers: true,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows progress while the cluster is asked', async () => {
    renderCard(() => new Promise(() => {}));
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows a healthy workload and links to the Kubernetes tab', async () => {
    renderCard(answer(responseFor('healthy')));
    const workload = await screen.findByRole('region', {
      name: 'Deployment sales-dashboard',
    });
    expect(within(workload).getByText('Healthy')).toBeInTheDocument();
    expect(within(workload).getByText('2/2 pods ready')).toBeInTheDocument();
    expect(
      within(workload).getByText('none in the last hour'),
    ).toBeInTheDocument();
    expect(
      within(workload).getByText(/revision 7, sales-dashboard:1\.4\.2/),
    ).toBeInTheDocument();
    expect(
      within(workload).queryByRole('list', { name: 'Problems' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Kubernetes tab' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/sales-dashboard/kubernetes',
    );
  });

  it('shows a crash loop with the last exit', async () => {
    renderCard(answer(responseFor('crashloop')));
    const workload = await screen.findByRole('region', {
      name: 'Deployment sales-dashboard',
    });
    expect(within(workload).getByText('Degraded')).toBeInTheDocument();
    expect(within(workload).getByText('2/2 pods ready')).toBeInTheDocument();
    expect(
      within(workload).getByText('7 in the last hour'),
    ).toBeInTheDocument();
    const problems = within(workload).getByRole('list', { name: 'Problems' });
    expect(problems).toHaveTextContent(
      'ProgressDeadlineExceeded in Deployment sales-dashboard: ReplicaSet "sales-dashboard-84c6f5d7b9" has timed out progressing, 4 minutes ago',
    );
    expect(problems).toHaveTextContent(
      'CrashLoopBackOff in sales-dashboard-84c6f5d7b9-tq8wz (dashboard): restarted 7 times, last exit: Error (exit code 1)',
    );
    expect(
      within(workload).getByText(/^Error \(exit code 1\)/),
    ).toBeInTheDocument();
  });

  it("shows OOMKilled containers and the failing probe's event", async () => {
    renderCard(answer(responseFor('oomkilled')));
    const problems = await screen.findByRole('list', { name: 'Problems' });
    expect(
      await within(problems).findByText(/Readiness probe failed/),
    ).toBeInTheDocument();
    expect(within(problems).getAllByText('OOMKilled')).toHaveLength(2);
    expect(problems).toHaveTextContent(
      'OOMKilled in sales-dashboard-6d8f7c9b4d-7xk2p (dashboard): killed for exceeding its memory limit, 6 minutes ago',
    );
    expect(screen.getByText('1/2 pods ready')).toBeInTheDocument();
    expect(
      screen.getByText(
        'at least 2 in the last hour (7 since the pods started)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^OOMKilled \(exit code 137\)/),
    ).toBeInTheDocument();
  });

  it('still shows the pods when their events cannot be read', async () => {
    renderCard(answer(responseFor('oomkilled')), {
      getEventsByInvolvedObjectName: async () => {
        throw new Error('403 Forbidden');
      },
    } as Partial<KubernetesProxyApi> as KubernetesProxyApi);
    const problems = await screen.findByRole('list', { name: 'Problems' });
    expect(problems).toHaveTextContent(
      'Not ready in sales-dashboard-6d8f7c9b4d-m4q9t (dashboard): running, but its readiness probe is failing',
    );
  });

  it("shows a pending pod with the scheduler's reason", async () => {
    renderCard(answer(responseFor('pending')));
    const problems = await screen.findByRole('list', { name: 'Problems' });
    expect(problems).toHaveTextContent(
      'Unschedulable in sales-dashboard-6d8f7c9b4d-zb5hn: 0/3 nodes are available: 3 Insufficient memory.',
    );
    expect(screen.getByText('2/3 pods ready')).toBeInTheDocument();
  });

  it('explains an unreachable cluster, and the rest of the page still renders', async () => {
    renderCard(answer(unreachable));
    expect(
      await screen.findByText(/The Kubernetes cluster could not be read$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /^Cluster aks-prod could not be reached at http:\/\/127\.0\.0\.1:9: connect ECONNREFUSED/,
      ),
    ).toBeVisible();
    expect(screen.queryByText('No pods')).not.toBeInTheDocument();
    expect(screen.getByText('Other overview cards')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Kubernetes tab' }),
    ).toBeInTheDocument();
  });

  it('shows the pods of the clusters that answered next to the one that did not', async () => {
    const healthy = responseFor('healthy');
    renderCard(
      answer({
        items: [
          ...healthy.items,
          ...unreachable.items.map(i => ({
            ...i,
            cluster: { name: 'aks-dr' },
          })),
        ],
      }),
    );
    expect(
      await screen.findByText(/Some pods could not be read$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^Cluster aks-dr could not be reached/),
    ).toBeInTheDocument();
    expect(screen.getByText('2/2 pods ready')).toBeInTheDocument();
  });

  it('says that no cluster is connected, not that the service has no pods, when the portal has none', async () => {
    renderCard(answer({ items: [] }), proxyApi(), salesDashboard, []);
    expect(
      await screen.findByText('No Kubernetes cluster connected'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No pods')).not.toBeInTheDocument();
  });

  it('says when no pods carry the label', async () => {
    renderCard(answer({ items: [] }));
    expect(await screen.findByText('No pods')).toBeInTheDocument();
    expect(
      screen.getByText(
        'No pods match the label selector backstage.io/kubernetes-id=sales-dashboard in namespace dashboards in any configured cluster. The selector comes from the annotation backstage.io/kubernetes-id.',
      ),
    ).toBeInTheDocument();
  });

  it("names the entity's label selector when no pods match it", async () => {
    renderCard(answer({ items: [] }), proxyApi(), salesDashboardBySelector);
    expect(await screen.findByText('No pods')).toBeInTheDocument();
    expect(
      screen.getByText(
        'No pods match the label selector app.kubernetes.io/name=sales-dashboard,app.kubernetes.io/component=worker in namespace dashboards in any configured cluster. The selector comes from the annotation backstage.io/kubernetes-label-selector.',
      ),
    ).toBeInTheDocument();
  });

  it('shows a rollout in progress as updating, without problems', async () => {
    renderCard(answer(responseFor('rollout')));
    const workload = await screen.findByRole('region', {
      name: 'Deployment sales-dashboard',
    });
    expect(within(workload).getByText('Updating')).toBeInTheDocument();
    expect(
      within(workload).getByText(
        '1/2 pods ready (1 starting, 1 shutting down)',
      ),
    ).toBeInTheDocument();
    expect(
      within(workload).queryByRole('list', { name: 'Problems' }),
    ).not.toBeInTheDocument();
  });

  it('shows one block per owning workload, with the last run of a CronJob', async () => {
    renderCard(answer(responseFor('workloads')));
    for (const name of [
      'Deployment sales-dashboard',
      'StatefulSet sales-dashboard-cache',
      'DaemonSet sales-dashboard-log-shipper',
      'CronJob sales-dashboard-report',
    ]) {
      const workload = await screen.findByRole('region', { name });
      expect(within(workload).getByText('Healthy')).toBeInTheDocument();
    }
    const cronJob = screen.getByRole('region', {
      name: 'CronJob sales-dashboard-report',
    });
    expect(
      within(cronJob).getByText(
        'succeeded 23 minutes ago (sales-dashboard-report-29926980)',
      ),
    ).toBeInTheDocument();
    expect(within(cronJob).queryByText(/pods ready/)).not.toBeInTheDocument();
  });

  it("opens the previous container's logs of a crash-looping pod in one click", async () => {
    // The Kubernetes plugin's own client, as the app provides it; its requests to the backend's
    // proxy are recorded.
    const paths: string[] = [];
    const proxy = new KubernetesProxyClient({
      kubernetesApi: {
        proxy: async ({ path }: { path: string }) => {
          paths.push(path);
          return path.includes('/events')
            ? new Response(JSON.stringify({ items: [] }))
            : new Response('{"level": "critical"}');
        },
      } as Partial<KubernetesApi> as KubernetesApi,
    });
    renderCard(answer(responseFor('crashloop')), proxy);
    const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
    await user.click(
      await screen.findByRole('button', {
        name: 'Logs of sales-dashboard-84c6f5d7b9-tq8wz (dashboard)',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        'Logs of sales-dashboard-84c6f5d7b9-tq8wz (dashboard) in aks-prod',
      ),
    ).toBeInTheDocument();
    // The log viewer draws only the lines in view, and jsdom has no layout: the requests show
    // which run's logs it got.
    const logRequests = () => paths.filter(p => p.includes('/log?'));
    await waitFor(() =>
      expect(logRequests()).toEqual([crashLoopLogPaths.previous]),
    );

    await user.click(
      within(dialog).getByRole('tab', { name: 'Current container' }),
    );
    await waitFor(() =>
      expect(logRequests()).toEqual([
        crashLoopLogPaths.previous,
        crashLoopLogPaths.current,
      ]),
    );

    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('shows the error when the kubernetes backend fails', async () => {
    renderCard(async () => {
      throw new Error(
        'Request failed with 500 Internal Server Error, {"error":"catalog unavailable"}',
      );
    });
    const [summary] = await screen.findAllByText(
      /^Error: Could not load pod health: Request failed with 500 Internal Server Error/,
    );
    expect(summary).toBeVisible();
    expect(screen.getByText('Other overview cards')).toBeInTheDocument();
  });
});
