/*
 * The stream labels each reference log agent gives a pod's log lines, and what Loki adds on
 * ingest, modelled from their published defaults (no Loki or agent can run here):
 *
 * - Promtail, Helm chart grafana/helm-charts `charts/promtail` 6.17.1, `config.snippets`: the
 *   `kubernetes-pods` job sets `app` from the first of the pod labels app.kubernetes.io/name, app,
 *   the controller name and the pod name, plus `instance` and `component` when present; `common`
 *   sets `node_name`, `namespace`, `job` (`<namespace>/<app>`), `pod` and `container`.
 * - Grafana Alloy through the k8s-monitoring chart (grafana/k8s-monitoring-helm 4.4.0,
 *   `charts/feature-pod-logs-via-kubernetes-api`): discovery sets `namespace`, `pod`, `container`,
 *   `job` (`<namespace>/<container>`), `service_name` (the pod annotation
 *   resource.opentelemetry.io/service.name, else the pod label app.kubernetes.io/name, else the
 *   container) and `service_namespace`; `labels` (default `app_kubernetes_io_name:
 *   app.kubernetes.io/name`) adds pod labels; `structuredMetadata` (default includes `pod`) moves
 *   `pod` out of the stream labels.
 * - Loki 3 (grafana/loki `pkg/validation/limits.go`, `discover_service_name`): a stream without
 *   `service_name` gets it from the first of `service, app, application, app_name, name,
 *   app_kubernetes_io_name, container, container_name, k8s_container_name, component, workload,
 *   job, k8s_job_name` it has, else `unknown_service`.
 */

/** A pod's container as the agents discover it. */
export interface LoggedPod {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  controller: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

const first = (...values: Array<string | undefined>) =>
  values.find(v => v !== undefined && v !== '');

/** The stream labels Promtail's chart defaults give. */
export function promtailLabels(pod: LoggedPod): Record<string, string> {
  const controller = pod.controller.replace(/-[0-9a-f]{8,10}$/, '');
  const app = first(
    pod.labels['app.kubernetes.io/name'],
    pod.labels.app,
    controller,
    pod.pod,
  )!;
  const labels: Record<string, string> = {
    app,
    node_name: pod.node,
    namespace: pod.namespace,
    job: `${pod.namespace}/${app}`,
    pod: pod.pod,
    container: pod.container,
  };
  const instance = first(
    pod.labels['app.kubernetes.io/instance'],
    pod.labels.instance,
  );
  if (instance) labels.instance = instance;
  const component = first(
    pod.labels['app.kubernetes.io/component'],
    pod.labels.component,
  );
  if (component) labels.component = component;
  return labels;
}

/** The stream labels k8s-monitoring's Alloy pod-logs feature gives with its defaults. */
export function alloyLabels(pod: LoggedPod): Record<string, string> {
  const labels: Record<string, string> = {
    namespace: pod.namespace,
    container: pod.container,
    job: `${pod.namespace}/${pod.container}`,
    service_name: first(
      pod.annotations?.['resource.opentelemetry.io/service.name'],
      pod.labels['app.kubernetes.io/name'],
      pod.container,
    )!,
    service_namespace: first(
      pod.annotations?.['resource.opentelemetry.io/service.namespace'],
      pod.namespace,
    )!,
  };
  const name = pod.labels['app.kubernetes.io/name'];
  if (name) labels.app_kubernetes_io_name = name;
  return labels;
}

const DISCOVER_SERVICE_NAME = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

/** The stream labels Loki 3 stores for a pushed stream (its `service_name` discovery). */
export function lokiIngest(labels: Record<string, string>) {
  if (labels.service_name) return labels;
  const from = DISCOVER_SERVICE_NAME.find(name => labels[name]);
  return {
    ...labels,
    service_name: from ? labels[from] : 'unknown_service',
  };
}
