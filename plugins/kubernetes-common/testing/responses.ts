import type {
  FetchResponse,
  ObjectsByEntityResponse,
} from '@backstage/plugin-kubernetes-common';
import type { EventObject } from '../src/health/kubernetesObjects';
import { PodEvents, podKey } from '../src/health/summary';
import healthyPods from './fixtures/healthy/pods.json';
import healthyDeployments from './fixtures/healthy/deployments.json';
import healthyReplicaSets from './fixtures/healthy/replicasets.json';
import crashloopPods from './fixtures/crashloop/pods.json';
import crashloopDeployments from './fixtures/crashloop/deployments.json';
import crashloopReplicaSets from './fixtures/crashloop/replicasets.json';
import oomkilledPods from './fixtures/oomkilled/pods.json';
import oomkilledDeployments from './fixtures/oomkilled/deployments.json';
import oomkilledReplicaSets from './fixtures/oomkilled/replicasets.json';
import oomkilledEvents from './fixtures/oomkilled/events.json';
import pendingPods from './fixtures/pending/pods.json';
import pendingDeployments from './fixtures/pending/deployments.json';
import pendingReplicaSets from './fixtures/pending/replicasets.json';
import rolloutPods from './fixtures/rollout/pods.json';
import rolloutDeployments from './fixtures/rollout/deployments.json';
import rolloutReplicaSets from './fixtures/rollout/replicasets.json';
import workloadsPods from './fixtures/workloads/pods.json';
import workloadsDeployments from './fixtures/workloads/deployments.json';
import workloadsReplicaSets from './fixtures/workloads/replicasets.json';
import workloadsStatefulSets from './fixtures/workloads/statefulsets.json';
import workloadsDaemonSets from './fixtures/workloads/daemonsets.json';
import workloadsJobs from './fixtures/workloads/jobs.json';
import workloadsCronJobs from './fixtures/workloads/cronjobs.json';

interface List {
  items: unknown[];
}

const empty: List = { items: [] };

/** pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs */
type Lists = [List, List, List, List?, List?, List?, List?];

const recorded = {
  healthy: [healthyPods, healthyDeployments, healthyReplicaSets],
  crashloop: [crashloopPods, crashloopDeployments, crashloopReplicaSets],
  oomkilled: [oomkilledPods, oomkilledDeployments, oomkilledReplicaSets],
  pending: [pendingPods, pendingDeployments, pendingReplicaSets],
  rollout: [rolloutPods, rolloutDeployments, rolloutReplicaSets],
  workloads: [
    workloadsPods,
    workloadsDeployments,
    workloadsReplicaSets,
    workloadsStatefulSets,
    workloadsDaemonSets,
    workloadsJobs,
    workloadsCronJobs,
  ],
} satisfies Record<string, Lists>;

/**
 * The kubernetes backend's answer for one cluster holding the recorded scenario, shaped as
 * `POST /api/kubernetes/services/:name` returns it (the backend test checks the real one).
 */
export function responseFor(
  scenario: keyof typeof recorded,
  cluster = 'aks-prod',
): ObjectsByEntityResponse {
  // A copy, so that a test that changes it leaves the recording alone.
  const [
    pods,
    deployments,
    replicaSets,
    statefulSets = empty,
    daemonSets = empty,
    jobs = empty,
    cronJobs = empty,
  ] = JSON.parse(JSON.stringify(recorded[scenario])) as Lists;
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
          { type: 'statefulsets', resources: statefulSets.items },
          { type: 'daemonsets', resources: daemonSets.items },
          { type: 'jobs', resources: jobs.items },
          { type: 'cronjobs', resources: cronJobs.items },
          { type: 'services', resources: [] },
        ] as unknown as FetchResponse[],
      },
    ],
  };
}

/** The recorded events of the OOMKilled scenario, as the card keys them, read from `cluster`. */
export function oomkilledEventsByPod(cluster = 'aks-prod'): PodEvents {
  const byPod: PodEvents = {};
  for (const e of oomkilledEvents.items as EventObject[]) {
    const key = podKey({
      cluster,
      namespace: e.involvedObject?.namespace ?? '',
      pod: e.involvedObject?.name ?? '',
    });
    byPod[key] = [...(byPod[key] ?? []), e];
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

/**
 * The Kubernetes API paths the log viewer asks the backend's proxy for, for the crash-looping
 * pod of the `crashloop` recording: what `KubernetesProxyClient.getPodLogs` sends (the card test
 * checks) and what the stand-in answers through the real backend (the backend test checks).
 */
export const crashLoopLogPaths = {
  previous:
    '/api/v1/namespaces/dashboards/pods/sales-dashboard-84c6f5d7b9-tq8wz/log?container=dashboard&previous=',
  current:
    '/api/v1/namespaces/dashboards/pods/sales-dashboard-84c6f5d7b9-tq8wz/log?container=dashboard',
};
