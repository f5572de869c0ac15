import type { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import plugin, {
  templateUpgradesEntityCard,
  templateUpgradesPage,
} from './alpha';
import { isTemplateUpgradeAvailable } from './lib/filter';

const withAnnotations = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'sales-dashboard', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'group:team', lifecycle: 'production' },
});

describe('template-upgrades plugin (new frontend system)', () => {
  it('provides the page at /template-upgrades, titled for the sidebar, and an info card', () => {
    expect(plugin.pluginId).toBe('template-upgrades');
    expect(plugin.getExtension('page:template-upgrades')).toBeDefined();
    expect(plugin.getExtension('entity-card:template-upgrades')).toBeDefined();
    const page = createExtensionTester(templateUpgradesPage);
    expect(page.get(coreExtensionData.routePath)).toBe('/template-upgrades');
    expect(page.get(coreExtensionData.title)).toBe('Template upgrades');
    expect(
      createExtensionTester(templateUpgradesEntityCard).get(
        EntityCardBlueprint.dataRefs.type,
      ),
    ).toBe('info');
  });

  it('shows the card only on entities made from a template', () => {
    const filter = createExtensionTester(templateUpgradesEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    )!;
    const fromTemplate = withAnnotations({
      'portal.golden-path/template-name': 'python-dashboard-service',
    });
    const byHand = withAnnotations({
      'backstage.io/kubernetes-id': 'sales-dashboard',
    });
    expect([fromTemplate, byHand].map(filter)).toEqual([true, false]);
    for (const entity of [fromTemplate, byHand]) {
      expect(isTemplateUpgradeAvailable(entity)).toBe(filter(entity));
    }
  });
});
