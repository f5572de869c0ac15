import type { Entity } from '@backstage/catalog-model';

/** The annotations the Kubernetes tab (and so this card) needs; either one is enough. */
export const KUBERNETES_ANNOTATIONS = [
  'backstage.io/kubernetes-id',
  'backstage.io/kubernetes-label-selector',
] as const;

/**
 * Whether the entity has the Kubernetes annotations, so the card has something to show.
 *
 * @public
 */
export function isPodHealthAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return KUBERNETES_ANNOTATIONS.some(a => Boolean(annotations[a]));
}
