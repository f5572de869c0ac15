import type { Entity } from '@backstage/catalog-model';
import { isKubernetesAvailable } from '@internal/plugin-kubernetes-common';

/**
 * Whether the entity has the Kubernetes annotations, so the card has something to show: the same
 * test as the Kubernetes tab's and the new-system card's filter.
 *
 * @public
 */
export function isPodHealthAvailable(entity: Entity): boolean {
  return isKubernetesAvailable(entity);
}
