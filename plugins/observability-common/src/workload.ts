/*
 * How the dashboard and the alert rules find a service's pods without kube-state-metrics
 * exporting pod labels: kube-prometheus-stack runs kube-state-metrics with
 * `metricLabelsAllowlist: []` (prometheus-community/helm-charts `charts/kube-state-metrics/values.yaml`),
 * so `kube_pod_labels` carries no `label_app_kubernetes_io_name`. What it does export by default
 * (its `pods` and `replicasets` collectors, same file, `collectors:`) ties a pod to its workload:
 *
 *   kube_pod_owner{namespace, pod, owner_kind="ReplicaSet", owner_name="<replicaset>"}
 *   kube_replicaset_owner{namespace, replicaset, owner_kind="Deployment", owner_name="<deployment>"}
 *
 * The golden path names the Deployment after the service (its `app.kubernetes.io/name` and
 * `backstage.io/kubernetes-id`, docs/contract.md), so the Deployment's name is the `app`.
 *
 * Only pods in phase Pending, Running or Unknown count (`kube_pod_status_phase`): an evicted pod
 * is in phase Failed and stays in the API, and in kube-state-metrics, until it is deleted.
 */

/** Pod phases of pods that run or will run. */
export const LIVE_POD_PHASES = 'Pending|Running|Unknown';

/**
 * One series per live pod of a Deployment, with the labels `cluster` (where there is one),
 * `namespace`, `pod` and `app` (the Deployment's name), value 1.
 *
 * @param scope - matchers every kube-state-metrics selector gets, e.g. `namespace="$namespace"`
 * @param deployment - a PromQL string literal the Deployment's name must equal; all when omitted
 * @public
 */
export function podsOfWorkloads(scope?: string, deployment?: string): string {
  const selector = (...matchers: string[]) =>
    `{${[scope, ...matchers].filter(Boolean).join(', ')}}`;
  const podReplicaSet = `label_replace(kube_pod_owner${selector(
    'owner_kind="ReplicaSet"',
  )}, "replicaset", "$1", "owner_name", "(.+)")`;
  const replicaSetApp = `max by (cluster, namespace, replicaset, app) (label_replace(kube_replicaset_owner${selector(
    'owner_kind="Deployment"',
    ...(deployment ? [`owner_name=${deployment}`] : []),
  )}, "app", "$1", "owner_name", "(.+)"))`;
  const live = `max by (cluster, namespace, pod) (kube_pod_status_phase${selector(
    `phase=~"${LIVE_POD_PHASES}"`,
  )} == 1)`;
  return `max by (cluster, namespace, pod, app) (${podReplicaSet} * on (cluster, namespace, replicaset) group_left (app) ${replicaSetApp} * on (cluster, namespace, pod) group_left () ${live})`;
}

/**
 * Every live pod of every Deployment, labelled with its `app` (what the alert rules group by).
 *
 * @public
 */
export const PODS_OF_WORKLOADS = podsOfWorkloads();
