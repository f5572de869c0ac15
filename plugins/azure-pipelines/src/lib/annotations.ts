import type { Entity } from '@backstage/catalog-model';

/**
 * The annotations that name an entity's pipeline: those of the Azure DevOps plugins, which the
 * service template writes for services on either host.
 *
 * @public
 */
export const ANNOTATIONS = {
  /** `dev.azure.com/<organization>` */
  hostOrg: 'dev.azure.com/host-org',
  /** The Azure DevOps project. */
  project: 'dev.azure.com/project',
  /** The pipeline (build definition) name. */
  buildDefinition: 'dev.azure.com/build-definition',
} as const;

/** Where an entity's pipeline lives. @public */
export interface PipelineRef {
  organization: string;
  project: string;
  pipelineName: string;
}

/**
 * The entity's pipeline, or `undefined` when it has none. Only Azure DevOps Services
 * (dev.azure.com) is read; the card says so for any other host.
 *
 * @public
 */
export function pipelineRefOf(entity: Entity): PipelineRef | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const hostOrg = annotations[ANNOTATIONS.hostOrg]?.trim();
  const project = annotations[ANNOTATIONS.project]?.trim();
  const pipelineName = annotations[ANNOTATIONS.buildDefinition]?.trim();
  if (!hostOrg || !project || !pipelineName) {
    return undefined;
  }
  const [host, organization, ...rest] = hostOrg.split('/');
  if (host !== 'dev.azure.com' || !organization || rest.length > 0) {
    throw new Error(
      `The annotation ${ANNOTATIONS.hostOrg} must be dev.azure.com/<organization>, not '${hostOrg}'`,
    );
  }
  return { organization, project, pipelineName };
}
