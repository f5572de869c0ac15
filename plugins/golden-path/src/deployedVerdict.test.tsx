import { screen, within } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  KubernetesApi,
  KubernetesAuthProvidersApi,
  KubernetesProxyApi,
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
  kubernetesProxyApiRef,
} from '@backstage/plugin-kubernetes-react';
import {
  CHECK_IDS,
  judgeDeployed,
  targetOfEntity,
  type GoldenPathTarget,
} from '@internal/plugin-golden-path-node';
import {
  KUBERNETES_STAND_IN_RECORDED_AT,
  responseFor,
} from '@internal/plugin-kubernetes-common/testing';
import { EntityPodHealthCard } from '@internal/plugin-pod-health';
import { goldenPathApiRef, GoldenPathReport } from './api/GoldenPathApi';
import { EntityGoldenPathCard } from './components/EntityGoldenPathCard/EntityGoldenPathCard';

/*
 * One verdict for "deployed", as the two cards show it: the same recorded pods go to the
 * pod-health card (through the Kubernetes plugin's API, as in the browser) and to the deployed
 * check's judgement (`judgeDeployed`, what the golden-path backend runs on the kubernetes
 * backend's answer), whose result the Golden path card shows. The backend test
 * (plugins/golden-path-backend/src/deployedVerdict.test.ts) does the same through the real
 * kubernetes backend.
 */

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    },
  },
  spec: { type: 'service', owner: 'group:team', lifecycle: 'production' },
};

/** Each recording, and whether its Deployment is healthy with every pod ready. */
const scenarios = [
  ['healthy', 'Holds'],
  ['crashloop', 'Fails'],
  ['oomkilled', 'Fails'],
  ['pending', 'Fails'],
  ['rollout', 'Fails'],
  ['workloads', 'Holds'],
] as const;

const authProviders: KubernetesAuthProvidersApi = {
  decorateRequestBodyForAuth: async (_provider, body) => body,
  getCredentials: async () => ({}),
};

/** The Golden path card's backend, answering the deployed check from `response`. */
function goldenPathFor(response: ObjectsByEntityResponse, now: Date) {
  const { target } = targetOfEntity(entity) as { target: GoldenPathTarget };
  const report = (): GoldenPathReport => {
    const deployed = judgeDeployed(target, response, { now });
    const checks = CHECK_IDS.map(id =>
      id === 'deployed'
        ? { ...deployed, since: now.toISOString() }
        : {
            id,
            state: 'unavailable' as const,
            summary: 'Cannot check: not part of this test.',
            since: now.toISOString(),
          },
    );
    return {
      entityRef: target.entityRef,
      checkedAt: now.toISOString(),
      checks,
      firstFailing: deployed.state === 'fail' ? 'deployed' : undefined,
    };
  };
  return {
    getChecks: async () => report(),
    checkNow: async () => report(),
  };
}

describe.each(scenarios)(
  'the %s recording on both cards',
  (scenario, verdict) => {
    beforeEach(() => {
      jest.useFakeTimers({
        now: new Date(KUBERNETES_STAND_IN_RECORDED_AT),
        advanceTimers: true,
      });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it("shows the pod-health card's verdict and first problem in the deployed check", async () => {
      const response = responseFor(scenario);
      await renderInTestApp(
        <TestApiProvider
          apis={[
            [
              kubernetesApiRef,
              {
                getObjectsByEntity: async () => responseFor(scenario),
                getClusters: async () => [
                  { name: 'aks-prod', authProvider: 'serviceAccount' },
                ],
              } as Partial<KubernetesApi> as KubernetesApi,
            ],
            [kubernetesAuthProvidersApiRef, authProviders],
            // No events on either side: the deployed check does not read them.
            [
              kubernetesProxyApiRef,
              {
                getEventsByInvolvedObjectName: async () => [],
              } as unknown as KubernetesProxyApi,
            ],
            [
              goldenPathApiRef,
              goldenPathFor(
                response,
                new Date(KUBERNETES_STAND_IN_RECORDED_AT),
              ),
            ],
          ]}
        >
          <EntityProvider entity={entity}>
            <EntityPodHealthCard />
            <EntityGoldenPathCard />
          </EntityProvider>
        </TestApiProvider>,
        {
          mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
        },
      );

      const podHealth = await screen.findByRole('region', {
        name: 'Deployment sales-dashboard',
      });
      const checks = await screen.findByRole('list', {
        name: 'Golden path checks',
      });
      const deployed = within(checks).getByRole('listitem', {
        name: /^Deployed: /,
      });

      // The pod-health card's verdict, in its own words.
      const readyText =
        within(podHealth).getByText(/^\d+\/\d+ pods ready/).textContent!;
      const [ready, desired] = readyText.match(/\d+/g)!.map(Number);
      const podHealthVerdict =
        within(podHealth).queryByText('Healthy') && ready === desired
          ? 'Holds'
          : 'Fails';
      expect(podHealthVerdict).toBe(verdict);
      expect(deployed.getAttribute('aria-label')).toMatch(
        new RegExp(`^Deployed: ${verdict}`),
      );
      expect(deployed).toHaveTextContent(`${ready}/${desired} pods ready`);

      // The first problem the pod-health card lists is the cause the Golden path card gives.
      const problems = within(podHealth).queryByRole('list', {
        name: 'Problems',
      });
      const firstReason =
        (problems &&
          within(problems).getAllByRole('listitem')[0].querySelector('strong')
            ?.textContent) ??
        '';
      const cause =
        within(deployed)
          .queryByRole('note', { name: 'Cause and fix' })
          ?.textContent?.match(/Cause: (.*?)Fix:/)?.[1] ?? '';
      expect(cause.startsWith(firstReason)).toBe(true);
    });
  },
);
