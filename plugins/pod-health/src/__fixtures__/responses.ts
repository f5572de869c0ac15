import type {
  FetchResponse,
  ObjectsByEntityResponse,
} from '@backstage/plugin-kubernetes-common';
import type { EventObject } from '../lib/kubernetesObjects';
import healthyPods from '../../testing/fixtures/healthy/pods.json';
import healthyDeployments from '../../testing/fixtures/healthy/deployments.json';
import healthyReplicaSets from '../../testing/fixtures/healthy/replicasets.json';
import crashloopPods from '../../testing/fixtures/crashloop/pods.json';
import crashloopDeployments from '../../testing/fixtures/crashloop/deployments.json';
import crashloopReplicaSets from '../../testing/fixtures/crashloop/replicasets.json';
import oomkilledPods from '../../testing/fixtures/oomkilled/pods.json';
import oomkilledDeployments from '../../testing/fixtures/oomkilled/deployments.json';
import oomkilledReplicaSets from '../../testing/fixtures/oomkilled/replicasets.json';
import oomkilledEvents from '../../testing/fixtures/oomkilled/events.json';
import pendingPods from '../../testing/fixtures/pending/pods.json';
import pendingDeployments from '../../testing/fixtures/pending/deployments.json';
import pendingReplicaSets from '../../testing/fixtures/pending/replicasets.json';

interface List {
  items: unknown[];
}

const recorded: Record<string, [List, List, List]> = {
  healthy: [healthyPods, healthyDeployments, healthyReplicaSets],
  crashloop: [crashloopPods, crashloopDeployments, crashloopReplicaSets],
  oomkilled: [oomkilledPods, oomkilledDeployments, oomkilledReplicaSets],
  pending: [pendingPods, pendingDeployments, pendingReplicaSets],
};

/**
 * The kubernetes backend's answer for one cluster holding the recorded scenario, shaped as
 * `POST /api/kubernetes/services/:name` returns it (the backend test checks the real one).
 */
export function responseFor(
  scenario: 'healthy' | 'crashloop' | 'oomkilled' | 'pending',
  cluster = 'aks-prod',
): ObjectsByEntityResponse {
  const [pods, deployments, replicaSets] = recorded[scenario];
  return {
    items: [
      {
        cluster: { name: cluster },
        podMetrics: [],
        errors: [],
        resources: [
          { type: 'pods', resources: pods.items },
          { type: 'deployments', resources: deployments.items },
          { type: 'replicasets', resources: replicaSets.items },
          { type: 'services', resources: [] },
        ] as unknown as FetchResponse[],
      },
    ],
  };
}

/** The recorded events of the OOMKilled scenario, per pod name. */
export function oomkilledEventsByPod(): Record<string, EventObject[]> {
  const byPod: Record<string, EventObject[]> = {};
  for (const e of oomkilledEvents.items as EventObject[]) {
    const pod = e.involvedObject?.name ?? '';
    byPod[pod] = [...(byPod[pod] ?? []), e];
  }
  return byPod;
}

/** What the backend returns when the cluster's API server does not answer. */
export const unreachable: ObjectsByEntityResponse = {
  items: [
    {
      cluster: { name: 'aks-prod' },
      podMetrics: [],
      resources: [],
      errors: [
        {
          errorType: 'FETCH_ERROR',
          message:
            'request to http://127.0.0.1:9/api/v1/namespaces/dashboards/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dsales-dashboard failed, reason: connect ECONNREFUSED 127.0.0.1:9',
        },
      ],
    },
  ],
};
