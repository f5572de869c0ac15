import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { GoldenPathTarget } from './types';

/** The annotations the checks read; the service template writes them all. @public */
export const GOLDEN_PATH_ANNOTATIONS = {
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesNamespace: 'backstage.io/kubernetes-namespace',
  cluster: 'observability/cluster',
  hostOrg: 'dev.azure.com/host-org',
  project: 'dev.azure.com/project',
  buildDefinition: 'dev.azure.com/build-definition',
} as const;

/**
 * What to check for an entity, from its annotations alone (no value a user sends reaches a
 * query), or why there is nothing to check.
 *
 * @public
 */
export function targetOfEntity(
  entity: Entity,
): { target: GoldenPathTarget } | { missing: string[] } {
  const a = entity.metadata.annotations ?? {};
  const app = a[GOLDEN_PATH_ANNOTATIONS.kubernetesId];
  const namespace = a[GOLDEN_PATH_ANNOTATIONS.kubernetesNamespace];
  const missing = [
    ...(app ? [] : [GOLDEN_PATH_ANNOTATIONS.kubernetesId]),
    ...(namespace ? [] : [GOLDEN_PATH_ANNOTATIONS.kubernetesNamespace]),
  ];
  if (missing.length) {
    return { missing };
  }
  const hostOrg = a[GOLDEN_PATH_ANNOTATIONS.hostOrg]?.split('/');
  const project = a[GOLDEN_PATH_ANNOTATIONS.project];
  const definition = a[GOLDEN_PATH_ANNOTATIONS.buildDefinition];
  return {
    target: {
      entityRef: stringifyEntityRef(entity),
      app: app!,
      namespace: namespace!,
      cluster: a[GOLDEN_PATH_ANNOTATIONS.cluster],
      pipeline:
        hostOrg?.length === 2 && project && definition
          ? { organization: hostOrg[1], project, definition }
          : undefined,
    },
  };
}
