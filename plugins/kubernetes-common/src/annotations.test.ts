import type { Entity } from '@backstage/catalog-model';
import { filterPredicateToFilterFunction } from '@backstage/filter-predicates';
import {
  isKubernetesAvailable,
  kubernetesAnnotationPredicate,
  kubernetesIdPredicate,
} from './annotations';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'sales-dashboard', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team' },
});

const byId = entity({ 'backstage.io/kubernetes-id': 'sales-dashboard' });
const bySelector = entity({
  'backstage.io/kubernetes-label-selector': 'app.kubernetes.io/name=sales',
});
const neither = entity({ 'backstage.io/kubernetes-namespace': 'dashboards' });

describe('kubernetesAnnotationPredicate', () => {
  const matches = filterPredicateToFilterFunction<Entity>(
    kubernetesAnnotationPredicate,
  );

  it('matches entities with a kubernetes-id or a label selector, as the Kubernetes tab does', () => {
    expect(matches(byId)).toBe(true);
    expect(matches(bySelector)).toBe(true);
    expect(matches(neither)).toBe(false);
  });

  it('is what isKubernetesAvailable evaluates', () => {
    for (const e of [byId, bySelector, neither]) {
      expect(isKubernetesAvailable(e)).toBe(matches(e));
    }
  });
});

describe('kubernetesIdPredicate', () => {
  it('matches only entities with a kubernetes-id', () => {
    const matches = filterPredicateToFilterFunction<Entity>(
      kubernetesIdPredicate,
    );
    expect(matches(byId)).toBe(true);
    expect(matches(bySelector)).toBe(false);
    expect(matches(neither)).toBe(false);
  });
});
