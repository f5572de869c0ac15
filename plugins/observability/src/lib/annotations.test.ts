import { ConfigReader } from '@backstage/config';
import {
  annotationSnippet,
  isObservabilityAvailable,
  resolveService,
  resolveTarget,
} from './annotations';
import { readGrafanaSettings } from './config';
import {
  grafanaConfig,
  makeEntity,
  salesDashboard,
} from './__testUtils__/fixtures';

const settings = readGrafanaSettings(new ConfigReader(grafanaConfig));

describe('resolveTarget', () => {
  it('uses the default instance and dashboard without extra annotations', () => {
    const result = resolveTarget(salesDashboard, settings);
    expect(result).toEqual({
      type: 'ok',
      target: {
        instance: settings.instances[0],
        dashboardUid: 'service-overview',
        cluster: '',
        namespace: 'dashboards',
        app: 'sales-dashboard',
      },
    });
  });

  it('takes the cluster from observability/cluster, and refuses one that is not a label value', () => {
    const entity = (cluster: string) =>
      makeEntity({
        'backstage.io/kubernetes-id': 'a',
        'backstage.io/kubernetes-namespace': 'b',
        'observability/cluster': cluster,
      });
    const ok = resolveTarget(entity('east'), settings);
    expect(ok.type === 'ok' && ok.target.cluster).toBe('east');
    expect(resolveTarget(entity('x"} or vector(1)'), settings)).toMatchObject({
      type: 'invalid-annotations',
    });
  });

  it('lets an entity pick an instance and a dashboard', () => {
    const result = resolveTarget(
      makeEntity({
        'backstage.io/kubernetes-id': 'a',
        'backstage.io/kubernetes-namespace': 'b',
        'observability/grafana-instance': 'eu',
        'observability/grafana-dashboard': 'custom-uid',
      }),
      settings,
    );
    expect(result.type === 'ok' && result.target.instance.name).toBe('eu');
    expect(result.type === 'ok' && result.target.dashboardUid).toBe(
      'custom-uid',
    );
  });

  it('lists the missing annotations', () => {
    expect(resolveTarget(makeEntity({}), settings)).toEqual({
      type: 'missing-annotations',
      missing: [
        'backstage.io/kubernetes-id',
        'backstage.io/kubernetes-namespace',
      ],
    });
  });

  it('refuses annotation values that could break out of a query or URL', () => {
    const result = resolveTarget(
      makeEntity({
        'backstage.io/kubernetes-id': 'x"} or vector(1) #',
        'backstage.io/kubernetes-namespace': 'ns\\',
        'observability/grafana-dashboard': '../../api/admin',
      }),
      settings,
    );
    expect(result.type).toBe('invalid-annotations');
    expect(
      result.type === 'invalid-annotations' && result.problems,
    ).toHaveLength(3);
  });

  it('reports an instance name that is not configured', () => {
    expect(
      resolveTarget(
        makeEntity({
          'backstage.io/kubernetes-id': 'a',
          'backstage.io/kubernetes-namespace': 'b',
          'observability/grafana-instance': 'https://evil.example.com',
        }),
        settings,
      ),
    ).toEqual({ type: 'no-instance', requested: 'https://evil.example.com' });
  });

  it('reports no instance when nothing is configured', () => {
    expect(resolveTarget(salesDashboard, { instances: [] })).toEqual({
      type: 'no-instance',
      requested: undefined,
    });
  });
});

describe('isObservabilityAvailable', () => {
  it('needs the kubernetes-id annotation', () => {
    expect(isObservabilityAvailable(salesDashboard)).toBe(true);
    expect(isObservabilityAvailable(makeEntity({}))).toBe(false);
  });
});

describe('annotationSnippet', () => {
  it('names the entity in the snippet', () => {
    expect(annotationSnippet(makeEntity({}))).toContain(
      'backstage.io/kubernetes-id: sales-dashboard',
    );
  });
});

describe('backstage.io/kubernetes-label-selector', () => {
  const withSelector = (selector: string) =>
    makeEntity({
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
      'backstage.io/kubernetes-label-selector': selector,
    });

  it('is followed when it selects by app.kubernetes.io/name alone', () => {
    expect(
      resolveService(withSelector('app.kubernetes.io/name=sales-v2')),
    ).toEqual({
      type: 'ok',
      namespace: 'dashboards',
      app: 'sales-v2',
    });
  });

  it.each([
    'app=sales',
    'app.kubernetes.io/name=a,tier=web',
    'app.kubernetes.io/name in (a,b)',
  ])('refuses %s with a message saying what the tab can follow', selector => {
    expect(resolveService(withSelector(selector))).toEqual({
      type: 'invalid-annotations',
      problems: [
        expect.stringContaining(
          'cannot be shown: the dashboard and the alert rules select pods by the label app.kubernetes.io/name alone',
        ),
      ],
    });
  });
});
