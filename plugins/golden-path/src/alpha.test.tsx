import type { Entity } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import plugin, { goldenPathEntityCard } from './alpha';
import { isGoldenPathAvailable } from './lib/filter';

const withAnnotations = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'sales-dashboard', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'group:team', lifecycle: 'production' },
});

describe('golden-path plugin (new frontend system)', () => {
  it('provides the overview card as entity-card:golden-path, an info card', () => {
    expect(plugin.pluginId).toBe('golden-path');
    expect(plugin.getExtension('entity-card:golden-path')).toBeDefined();
    expect(
      createExtensionTester(goldenPathEntityCard).get(
        EntityCardBlueprint.dataRefs.type,
      ),
    ).toBe('info');
  });

  it('shows the card only on entities with both annotations the checks are built from', () => {
    const filter = createExtensionTester(goldenPathEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    )!;
    const both = withAnnotations({
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    });
    const idOnly = withAnnotations({
      'backstage.io/kubernetes-id': 'sales-dashboard',
    });
    const selectorOnly = withAnnotations({
      'backstage.io/kubernetes-label-selector': 'app=sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    });
    expect([both, idOnly, selectorOnly].map(filter)).toEqual([
      true,
      false,
      false,
    ]);
    for (const entity of [both, idOnly, selectorOnly]) {
      expect(isGoldenPathAvailable(entity)).toBe(filter(entity));
    }
  });
});
