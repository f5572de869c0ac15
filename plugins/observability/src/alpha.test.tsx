import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import plugin, {
  observabilityAlertsEntityCard,
  observabilityEntityCard,
  observabilityEntityContent,
} from './alpha';
import { makeEntity, salesDashboard } from './lib/__testUtils__/fixtures';
import { isObservabilityAvailable } from './lib/annotations';

describe('observability plugin (new frontend system)', () => {
  it('has the plugin id', () => {
    expect(plugin.pluginId).toBe('observability');
  });

  it('adds an Observability tab at /observability', () => {
    const tester = createExtensionTester(observabilityEntityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Observability',
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('/observability');
  });

  it.each([
    ['content', observabilityEntityContent],
    ['card', observabilityEntityCard],
    ['alerts card', observabilityAlertsEntityCard],
  ] as const)(
    'shows the %s only on entities with the Kubernetes annotations',
    (_kind, extension) => {
      const tester = createExtensionTester(extension as any);
      const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction) as
        | ((entity: any) => boolean)
        | undefined;
      expect(filter).toBeDefined();
      expect(filter!(salesDashboard)).toBe(true);
      expect(filter!(makeEntity({}))).toBe(false);
      // A label selector alone: the tab follows or refuses it with a message (resolveService).
      expect(
        filter!(
          makeEntity({
            'backstage.io/kubernetes-label-selector':
              'app.kubernetes.io/name=sales-dashboard',
            'backstage.io/kubernetes-namespace': 'dashboards',
          }),
        ),
      ).toBe(true);
      expect(filter!(salesDashboard)).toBe(
        isObservabilityAvailable(salesDashboard),
      );
    },
  );
});
