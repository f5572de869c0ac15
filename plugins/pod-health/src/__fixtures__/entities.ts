import type { Entity } from '@backstage/catalog-model';

/** The example service of `examples/entities.yaml`. */
export const salesDashboard: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    namespace: 'default',
    title: 'Sales dashboard',
    annotations: {
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:dashboards-team',
    system: 'dashboards',
  },
};

/** A component that is not deployed to Kubernetes. */
export const notDeployed: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs-site', namespace: 'default' },
  spec: { type: 'website', lifecycle: 'production', owner: 'group:docs' },
};

/** A service found by a label selector instead of `backstage.io/kubernetes-id`. */
export const salesDashboardBySelector: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard-worker',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector':
        'app.kubernetes.io/name=sales-dashboard,app.kubernetes.io/component=worker',
      'backstage.io/kubernetes-namespace': 'dashboards',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:dashboards-team',
    system: 'dashboards',
  },
};
