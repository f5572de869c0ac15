/*
 * A model of what a default kube-prometheus-stack (prometheus-community/helm-charts, chart 88.5.3)
 * makes its Prometheus scrape, as plain Prometheus scrape configs, so that a real Prometheus can
 * be fed series shaped as that stack stores them. Kubernetes service discovery cannot run here:
 * pods are file_sd targets carrying the `__meta_kubernetes_pod_*` labels of Prometheus' pod role.
 *
 * - PodMonitors: the chart's Prometheus selects only PodMonitors labelled `release: <release>`
 *   (`prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues: true` in values.yaml, turned
 *   into `podMonitorSelector.matchLabels.release` by templates/prometheus/prometheus.yaml). A
 *   selected PodMonitor becomes one job whose relabelings follow prometheus-operator's
 *   `pkg/prometheus/promcfg.go` (generatePodMonitorConfig): keep the pods its selector matches,
 *   keep the named port, drop pods in phase Failed or Succeeded, set `namespace`, `container`,
 *   `pod`, `job` (`<namespace>/<name>`) and `endpoint` (the port name), then the PodMonitor's own
 *   relabelings.
 * - kube-state-metrics: its ServiceMonitor scrapes with `honorLabels: true`
 *   (`kube-state-metrics.prometheus.monitor.http.honorLabels`), so a series keeps its own
 *   `namespace`/`pod`/`container` and takes the target's where it has none.
 * - cAdvisor: the kubelet ServiceMonitor, `honorLabels: true`, path /metrics/cadvisor, with the
 *   path copied to `metrics_path` (`kubelet.serviceMonitor` in values.yaml).
 */

/** The Helm release name of the stack the tests model (`helm install kube-prometheus-stack …`). */
export const KPS_RELEASE = 'kube-prometheus-stack';

/** The PodMonitor fields the model reads. */
export interface PodMonitor {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
  };
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: Array<{
      port: string;
      path?: string;
      relabelings?: Array<{ sourceLabels: string[]; targetLabel: string }>;
    }>;
  };
}

/** One pod as Prometheus' Kubernetes pod role sees one of its container ports. */
export interface PodTarget {
  address: string;
  namespace: string;
  pod: string;
  container: string;
  portName: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  labels: Record<string, string>;
}

/** Prometheus' label name sanitising for `__meta_kubernetes_pod_label_<name>`. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/** The file_sd entry of one pod target. */
export function podTargetGroup(target: PodTarget) {
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: target.namespace,
    __meta_kubernetes_pod_name: target.pod,
    __meta_kubernetes_pod_container_name: target.container,
    __meta_kubernetes_pod_container_port_name: target.portName,
    __meta_kubernetes_pod_phase: target.phase,
  };
  for (const [key, value] of Object.entries(target.labels)) {
    labels[`__meta_kubernetes_pod_label_${sanitize(key)}`] = value;
    labels[`__meta_kubernetes_pod_labelpresent_${sanitize(key)}`] = 'true';
  }
  return { targets: [target.address], labels };
}

/** Whether the stack's Prometheus selects a PodMonitor (its `podMonitorSelector`). */
export function isSelected(
  podMonitor: PodMonitor,
  selector: Record<string, string> = { release: KPS_RELEASE },
): boolean {
  return Object.entries(selector).every(
    ([key, value]) => podMonitor.metadata.labels?.[key] === value,
  );
}

/**
 * The scrape jobs the operator generates for the PodMonitors the stack selects; PodMonitors it
 * does not select give none (that is how a PodMonitor without the release label is ignored).
 */
export function podMonitorJobs(
  podMonitors: PodMonitor[],
  sdFile: string,
  selector?: Record<string, string>,
) {
  return podMonitors
    .filter(pm => isSelected(pm, selector))
    .flatMap(pm =>
      pm.spec.podMetricsEndpoints.map((endpoint, i) => ({
        job_name: `podMonitor/${pm.metadata.namespace}/${pm.metadata.name}/${i}`,
        honor_labels: false,
        metrics_path: endpoint.path ?? '/metrics',
        file_sd_configs: [{ files: [sdFile] }],
        relabel_configs: [
          ...Object.entries(pm.spec.selector.matchLabels).map(
            ([key, value]) => ({
              action: 'keep',
              source_labels: [
                `__meta_kubernetes_pod_label_${sanitize(key)}`,
                `__meta_kubernetes_pod_labelpresent_${sanitize(key)}`,
              ],
              regex: `(${value});true`,
            }),
          ),
          {
            action: 'keep',
            source_labels: ['__meta_kubernetes_pod_container_port_name'],
            regex: endpoint.port,
          },
          {
            action: 'drop',
            source_labels: ['__meta_kubernetes_pod_phase'],
            regex: '(Failed|Succeeded)',
          },
          {
            source_labels: ['__meta_kubernetes_namespace'],
            target_label: 'namespace',
          },
          {
            source_labels: ['__meta_kubernetes_pod_container_name'],
            target_label: 'container',
          },
          {
            source_labels: ['__meta_kubernetes_pod_name'],
            target_label: 'pod',
          },
          {
            target_label: 'job',
            replacement: `${pm.metadata.namespace}/${pm.metadata.name}`,
          },
          { target_label: 'endpoint', replacement: endpoint.port },
          ...(endpoint.relabelings ?? []).map(r => ({
            source_labels: r.sourceLabels,
            target_label: r.targetLabel,
          })),
        ],
      })),
    );
}

/** The kube-state-metrics and kubelet/cAdvisor jobs, serving from a local exporter. */
export function kubernetesJobs(exporterAddress: string) {
  return [
    {
      job_name:
        'serviceMonitor/monitoring/kube-prometheus-stack-kube-state-metrics/0',
      honor_labels: true,
      metrics_path: '/kube-state-metrics',
      static_configs: [
        {
          targets: [exporterAddress],
          labels: {
            job: 'kube-state-metrics',
            namespace: 'monitoring',
            pod: 'kube-prometheus-stack-kube-state-metrics-6b8c9d7f5-q2x7k',
            container: 'kube-state-metrics',
            endpoint: 'http',
            service: 'kube-prometheus-stack-kube-state-metrics',
          },
        },
      ],
    },
    {
      job_name: 'serviceMonitor/monitoring/kube-prometheus-stack-kubelet/1',
      honor_labels: true,
      metrics_path: '/metrics/cadvisor',
      static_configs: [
        {
          targets: [exporterAddress],
          labels: {
            job: 'kubelet',
            namespace: 'kube-system',
            node: 'node-1',
            endpoint: 'https-metrics',
            service: 'kube-prometheus-stack-kubelet',
            metrics_path: '/metrics/cadvisor',
          },
        },
      ],
    },
  ];
}

/** One pod as kube-state-metrics (no label allowlist) and cAdvisor describe it. */
export interface KubernetesPod {
  namespace: string;
  pod: string;
  replicaSet: string;
  phase: PodTarget['phase'];
  ready: boolean;
  restarts: number;
  /** Working set of its container `app`; none for a pod that does not run. */
  workingSetBytes?: number;
  cpuSeconds?: number;
}

/**
 * kube-state-metrics' series for pods and their ReplicaSets (`deployment` names the ReplicaSet's
 * owner), without `label_*` labels, and cAdvisor's per container and per pod cgroup.
 */
export function kubernetesSeries(
  pods: KubernetesPod[],
  replicaSets: Array<{
    namespace: string;
    replicaSet: string;
    deployment: string;
  }>,
): { kubeStateMetrics: string; cadvisor: string } {
  const ksm: string[] = [];
  const cadvisor: string[] = [];
  for (const rs of replicaSets) {
    ksm.push(
      `kube_replicaset_owner{namespace="${rs.namespace}",replicaset="${rs.replicaSet}",owner_kind="Deployment",owner_name="${rs.deployment}",owner_is_controller="true"} 1`,
    );
  }
  for (const p of pods) {
    const l = `namespace="${p.namespace}",pod="${p.pod}",uid="uid-${p.pod}"`;
    ksm.push(`kube_pod_labels{${l}} 1`);
    ksm.push(
      `kube_pod_owner{${l},owner_kind="ReplicaSet",owner_name="${p.replicaSet}",owner_is_controller="true"} 1`,
    );
    for (const phase of [
      'Pending',
      'Running',
      'Succeeded',
      'Failed',
      'Unknown',
    ]) {
      ksm.push(
        `kube_pod_status_phase{${l},phase="${phase}"} ${
          phase === p.phase ? 1 : 0
        }`,
      );
    }
    ksm.push(`kube_pod_status_ready{${l},condition="true"} ${p.ready ? 1 : 0}`);
    ksm.push(
      `kube_pod_status_ready{${l},condition="false"} ${p.ready ? 0 : 1}`,
    );
    const c = `${l},container="app"`;
    ksm.push(`kube_pod_container_status_restarts_total{${c}} ${p.restarts}`);
    ksm.push(
      `kube_pod_container_resource_requests{${c},node="node-1",resource="cpu",unit="core"} 0.25`,
      `kube_pod_container_resource_limits{${c},node="node-1",resource="cpu",unit="core"} 0.5`,
      `kube_pod_container_resource_requests{${c},node="node-1",resource="memory",unit="byte"} 268435456`,
      `kube_pod_container_resource_limits{${c},node="node-1",resource="memory",unit="byte"} 536870912`,
    );
    if (p.workingSetBytes !== undefined) {
      const id = `/kubepods/burstable/pod${p.pod}`;
      const cc = `namespace="${p.namespace}",pod="${p.pod}",container="app",id="${id}/c1",image="app:1",name="c1"`;
      cadvisor.push(
        `container_cpu_usage_seconds_total{${cc},cpu="total"} ${
          p.cpuSeconds ?? 0
        }`,
      );
      cadvisor.push(
        `container_memory_working_set_bytes{${cc}} ${p.workingSetBytes}`,
      );
      // The pod-level cgroup (container=""), which the queries must leave out.
      const pc = `namespace="${p.namespace}",pod="${p.pod}",container="",id="${id}"`;
      cadvisor.push(
        `container_cpu_usage_seconds_total{${pc},cpu="total"} ${
          100 * (p.cpuSeconds ?? 0)
        }`,
      );
      cadvisor.push(
        `container_memory_working_set_bytes{${pc}} ${2 * p.workingSetBytes}`,
      );
    }
  }
  return {
    kubeStateMetrics: `${ksm.join('\n')}\n`,
    cadvisor: `${cadvisor.join('\n')}\n`,
  };
}
