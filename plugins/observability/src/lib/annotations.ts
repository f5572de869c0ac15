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
  grafanaInstance: 'observability/grafana-instance',
  grafanaDashboard: 'observability/grafana-dashboard',
} as const;

/**
 * Whether an entity has the annotations the Observability tab needs.
 *
 * @public
 */
export function isObservabilityAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATIONS.kubernetesId]);
}

/**
 * What the panels of one entity are built from.
 *
 * @public
 */
export interface ObservabilityTarget {
  instance: GrafanaInstance;
  dashboardUid: string;
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
 * Resolves an entity's annotations against the configured Grafana instances.
 *
 * @public
 */
export function resolveTarget(
  entity: Entity,
  settings: GrafanaSettings,
): TargetResolution {
  const annotations = entity.metadata.annotations ?? {};
  const app = annotations[ANNOTATIONS.kubernetesId];
  const namespace = annotations[ANNOTATIONS.kubernetesNamespace];
  const missing = [
    ...(app ? [] : [ANNOTATIONS.kubernetesId]),
    ...(namespace ? [] : [ANNOTATIONS.kubernetesNamespace]),
  ];
  if (!app || !namespace) {
    return { type: 'missing-annotations', missing };
  }

  // Grafana interpolates these values verbatim into the dashboard's queries; only values that
  // can be Kubernetes label values (no quotes, no backslashes) are passed on.
  const problems: string[] = [];
  if (!isKubernetesLabelValue(app)) {
    problems.push(
      `${ANNOTATIONS.kubernetesId} ${JSON.stringify(
        app,
      )} is not a valid Kubernetes label value`,
    );
  }
  if (!isDns1123Label(namespace)) {
    problems.push(
      `${ANNOTATIONS.kubernetesNamespace} ${JSON.stringify(
        namespace,
      )} is not a valid Kubernetes namespace name`,
    );
  }
  const dashboardAnnotation = annotations[ANNOTATIONS.grafanaDashboard];
  if (dashboardAnnotation !== undefined && !isGrafanaUid(dashboardAnnotation)) {
    problems.push(
      `${ANNOTATIONS.grafanaDashboard} ${JSON.stringify(
        dashboardAnnotation,
      )} is not a Grafana dashboard uid`,
    );
  }
  if (problems.length > 0) {
    return { type: 'invalid-annotations', problems };
  }

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
