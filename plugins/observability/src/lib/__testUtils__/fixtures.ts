import { Entity } from '@backstage/catalog-model';
import { GrafanaInstance } from '../config';

export const localInstance: GrafanaInstance = {
  name: 'local',
  url: 'http://localhost:3030',
  orgId: 1,
  cluster: '',
  dashboardUid: 'service-overview',
  proxyPath: '/grafana/api',
  datasources: { prometheus: 'Prometheus', loki: 'Loki' },
};

export const grafanaConfig = {
  observability: {
    grafana: {
      instances: [
        {
          name: 'local',
          url: 'http://localhost:3030',
          orgId: 1,
          dashboardUid: 'service-overview',
          proxyPath: '/grafana/api',
          datasources: { prometheus: 'Prometheus', loki: 'Loki' },
        },
        {
          name: 'eu',
          url: 'https://grafana.eu.example.com/sub/',
          orgId: 3,
          dashboardUid: 'eu-overview',
          proxyPath: '/grafana-eu/api',
        },
      ],
    },
  },
};

export function makeEntity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'sales-dashboard', namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team' },
  };
}

export const salesDashboard = makeEntity({
  'backstage.io/kubernetes-id': 'sales-dashboard',
  'backstage.io/kubernetes-namespace': 'dashboards',
});
