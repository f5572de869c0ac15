import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import plugin, { podHealthEntityCard } from './alpha';
import { notDeployed, salesDashboard } from './__fixtures__/entities';
import { isPodHealthAvailable } from './lib/filter';

describe('pod-health plugin (new frontend system)', () => {
  it('has the plugin id', () => {
    expect(plugin.pluginId).toBe('pod-health');
  });

  it('provides the overview card as entity-card:pod-health', () => {
    expect(plugin.getExtension('entity-card:pod-health')).toBeDefined();
    expect(
      createExtensionTester(podHealthEntityCard).get(
        EntityCardBlueprint.dataRefs.type,
      ),
    ).toBe('info');
  });

  it('shows the card only on entities with the Kubernetes annotations', () => {
    const tester = createExtensionTester(podHealthEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter).toBeDefined();
    expect(filter!(salesDashboard)).toBe(true);
    expect(filter!(notDeployed)).toBe(false);
    const bySelector = {
      ...notDeployed,
      metadata: {
        ...notDeployed.metadata,
        annotations: {
          'backstage.io/kubernetes-label-selector': 'app=docs-site',
        },
      },
    };
    expect(filter!(bySelector)).toBe(true);
    for (const entity of [salesDashboard, notDeployed, bySelector]) {
      expect(isPodHealthAvailable(entity)).toBe(filter!(entity));
    }
  });
});
