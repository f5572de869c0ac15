import { isKubernetesAvailable } from '@internal/plugin-kubernetes-common';
import { Entity } from '@backstage/catalog-model';
import { GrafanaInstance, GrafanaSettings } from './config';
import {
  isDns1123Label,
  isGrafanaUid,
  isKubernetesLabelValue,
} from '@internal/plugin-observability-common';

/**
 * The annotations the plugin reads. The first two are the Kubernetes plugin's; the service
 * template writes them into every new service's catalog-info.yaml.
 *
 * @public
 */
export const ANNOTATIONS = {
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesNamespace: 'backstage.io/kubernetes-namespace',
  kubernetesLabelSelector: 'backstage.io/kubernetes-label-selector',
  grafanaInstance: 'observability/grafana-instance',
  grafanaDashboard: 'observability/grafana-dashboard',
  cluster: 'observability/cluster',
} as const;

/**
 * Whether an entity gets the Observability tab and cards: where the Kubernetes tab is, that is
 * with `backstage.io/kubernetes-id` or `backstage.io/kubernetes-label-selector`
 * ({@link resolveService} then follows the annotations or says why it cannot).
 *
 * @public
 */
export const isObservabilityAvailable: (entity: Entity) => boolean =
  isKubernetesAvailable;

/**
 * What the panels of one entity are built from.
 *
 * @public
 */
export interface ObservabilityTarget {
  instance: GrafanaInstance;
  dashboardUid: string;
  /** The `cluster` label value the panels are pinned to (empty: series without one). */
  cluster: string;
  namespace: string;
  app: string;
}

/** @public */
export type TargetResolution =
  | { type: 'ok'; target: ObservabilityTarget }
  | { type: 'missing-annotations'; missing: string[] }
  | { type: 'invalid-annotations'; problems: string[] }
  | { type: 'no-instance'; requested?: string };

/**
 * The pods' namespace and app label of an entity, from its annotations, or why there are none.
 *
 * @public
 */
export type ServiceResolution =
  | { type: 'ok'; namespace: string; app: string }
  | { type: 'missing-annotations'; missing: string[] }
  | { type: 'invalid-annotations'; problems: string[] };

/** `app.kubernetes.io/name=<value>` (or `==`), the one label selector the dashboard can follow. */
const APP_NAME_SELECTOR = /^\s*app\.kubernetes\.io\/name\s*==?\s*([^,\s]+)\s*$/;

/**
 * Reads and checks the namespace and app of an entity's pods. A
 * `backstage.io/kubernetes-label-selector` (which the Kubernetes plugin then uses instead of the
 * id) is followed when it selects by `app.kubernetes.io/name` alone, and refused otherwise: the
 * dashboard and alert rules select pods by that one label.
 *
 * @public
 */
export function resolveService(entity: Entity): ServiceResolution {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[ANNOTATIONS.kubernetesLabelSelector];
  const selected = selector?.match(APP_NAME_SELECTOR)?.[1];
  const app = selected ?? annotations[ANNOTATIONS.kubernetesId];
  const namespace = annotations[ANNOTATIONS.kubernetesNamespace];
  const problems: string[] = [];
  if (selector !== undefined && selected === undefined) {
    problems.push(
      `${ANNOTATIONS.kubernetesLabelSelector} ${JSON.stringify(
        selector,
      )} cannot be shown: the dashboard and the alert rules select pods by the label app.kubernetes.io/name alone. Use "app.kubernetes.io/name=<name>" or remove it and keep ${
        ANNOTATIONS.kubernetesId
      }.`,
    );
  }
  const missing = [
    ...(app ? [] : [ANNOTATIONS.kubernetesId]),
    ...(namespace ? [] : [ANNOTATIONS.kubernetesNamespace]),
  ];
  if (problems.length === 0 && (!app || !namespace)) {
    return { type: 'missing-annotations', missing };
  }

  // Grafana interpolates these values verbatim into the dashboard's queries; only values that
  // can be Kubernetes label values (no quotes, no backslashes) are passed on.
  if (app && !isKubernetesLabelValue(app)) {
    problems.push(
      `${
        selected
          ? ANNOTATIONS.kubernetesLabelSelector
          : ANNOTATIONS.kubernetesId
      } ${JSON.stringify(app)} is not a valid Kubernetes label value`,
    );
  }
  if (namespace && !isDns1123Label(namespace)) {
    problems.push(
      `${ANNOTATIONS.kubernetesNamespace} ${JSON.stringify(
        namespace,
      )} is not a valid Kubernetes namespace name`,
    );
  }
  if (problems.length > 0 || !app || !namespace) {
    return { type: 'invalid-annotations', problems };
  }
  return { type: 'ok', namespace, app };
}

/**
 * Resolves an entity's annotations against the configured Grafana instances.
 *
 * @public
 */
export function resolveTarget(
  entity: Entity,
  settings: GrafanaSettings,
): TargetResolution {
  const annotations = entity.metadata.annotations ?? {};
  const service = resolveService(entity);
  const problems =
    service.type === 'invalid-annotations' ? [...service.problems] : [];
  if (service.type === 'missing-annotations') {
    return service;
  }
  const dashboardAnnotation = annotations[ANNOTATIONS.grafanaDashboard];
  if (dashboardAnnotation !== undefined && !isGrafanaUid(dashboardAnnotation)) {
    problems.push(
      `${ANNOTATIONS.grafanaDashboard} ${JSON.stringify(
        dashboardAnnotation,
      )} is not a Grafana dashboard uid`,
    );
  }
  const clusterAnnotation = annotations[ANNOTATIONS.cluster];
  if (
    clusterAnnotation !== undefined &&
    !isKubernetesLabelValue(clusterAnnotation)
  ) {
    problems.push(
      `${ANNOTATIONS.cluster} ${JSON.stringify(
        clusterAnnotation,
      )} is not a label value`,
    );
  }
  if (problems.length > 0 || service.type !== 'ok') {
    return { type: 'invalid-annotations', problems };
  }
  const { namespace, app } = service;

  const requested = annotations[ANNOTATIONS.grafanaInstance];
  const instance = requested
    ? settings.instances.find(i => i.name === requested)
    : settings.defaultInstance;
  if (!instance) {
    return { type: 'no-instance', requested };
  }
  return {
    type: 'ok',
    target: {
      instance,
      dashboardUid: dashboardAnnotation ?? instance.dashboardUid,
      cluster: clusterAnnotation ?? instance.cluster,
      namespace,
      app,
    },
  };
}

/**
 * The catalog-info.yaml snippet an entity needs for the tab.
 *
 * @public
 */
export function annotationSnippet(entity: Entity): string {
  const name = entity.metadata.name;
  const namespace =
    entity.metadata.annotations?.[ANNOTATIONS.kubernetesNamespace] ?? 'default';
  return [
    'metadata:',
    '  annotations:',
    `    ${ANNOTATIONS.kubernetesId}: ${name}`,
    `    ${ANNOTATIONS.kubernetesNamespace}: ${namespace}`,
    `    # optional: another Grafana instance or dashboard than the configured default`,
    `    # ${ANNOTATIONS.grafanaInstance}: <instance name>`,
    `    # ${ANNOTATIONS.grafanaDashboard}: <dashboard uid>`,
  ].join('\n');
}
