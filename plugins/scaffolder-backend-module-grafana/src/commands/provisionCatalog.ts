/*
 * Provisions every catalog entity that carries the Kubernetes annotations: services created
 * before the template ran `grafana:dashboard:apply`, or whose dashboard-as-code changed since.
 */
import {
  CATALOG_FILTER_EXISTS,
  CatalogClient,
} from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { BASELINE_TEMPLATE_VERSION } from '@internal/plugin-observability-common';
import { TEMPLATE_VERSION_ANNOTATION } from '@internal/plugin-template-upgrades-common';
import { GrafanaConnection } from '../lib/grafanaApi';
import { provisionEntity, removeOrphans, uidsOf } from '../lib/provision';
import { ProvisioningTarget, checkTarget } from '../lib/resources';

const KUBERNETES_ID = 'backstage.io/kubernetes-id';
const KUBERNETES_NAMESPACE = 'backstage.io/kubernetes-namespace';

/** One entity's outcome. */
export interface CatalogProvisioningLine {
  entityRef: string;
  outcome: 'provisioned' | 'skipped' | 'failed' | 'removed';
  detail: string;
}

/** What an entity's annotations and owner give, or why it is skipped. */
export function targetOf(
  entity: Entity,
): ProvisioningTarget | { skip: string } {
  const annotations = entity.metadata.annotations ?? {};
  const namespace = annotations[KUBERNETES_NAMESPACE];
  if (!namespace) {
    return { skip: `no ${KUBERNETES_NAMESPACE} annotation` };
  }
  const owner = (entity.spec as { owner?: string } | undefined)?.owner;
  if (!owner) {
    return { skip: 'no spec.owner' };
  }
  return {
    entityRef: stringifyEntityRef(entity),
    ownerRef: stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ),
    namespace,
    app: annotations[KUBERNETES_ID],
    // The version main is at (the catalog reads catalog-info.yaml from main): an upgrade's
    // panels and rules come once its pull request is merged, never before.
    templateVersion:
      annotations[TEMPLATE_VERSION_ANNOTATION] ?? BASELINE_TEMPLATE_VERSION,
  };
}

/**
 * Reads the entities annotated with `backstage.io/kubernetes-id` from the catalog and provisions
 * each one; one failure does not stop the others.
 */
export async function provisionCatalog(options: {
  catalogBaseUrl: string;
  /** A token the catalog accepts (for example a static external-access token). */
  catalogToken?: string;
  connection: GrafanaConnection;
  onLine?: (line: CatalogProvisioningLine) => void;
}): Promise<CatalogProvisioningLine[]> {
  const catalog = new CatalogClient({
    discoveryApi: { getBaseUrl: async () => options.catalogBaseUrl },
  });
  let items: Entity[];
  try {
    ({ items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${KUBERNETES_ID}`]: CATALOG_FILTER_EXISTS,
        },
      },
      options.catalogToken ? { token: options.catalogToken } : undefined,
    ));
  } catch (error) {
    throw new Error(
      `Cannot read the entities from the catalog at ${
        options.catalogBaseUrl
      } (${
        (error as Error).message
      }). Check CATALOG_URL (the catalog's base URL, ending in /api/catalog) and CATALOG_TOKEN.`,
    );
  }
  const lines: CatalogProvisioningLine[] = [];
  // What the portal keeps: everything of the entities it provisions (also when that fails now).
  const keep = new Set<string>();
  for (const entity of items) {
    const entityRef = stringifyEntityRef(entity);
    const target = targetOf(entity);
    let line: CatalogProvisioningLine;
    if ('skip' in target) {
      line = { entityRef, outcome: 'skipped', detail: target.skip };
    } else {
      try {
        checkTarget(target);
        uidsOf(target).forEach(uid => keep.add(uid));
        const result = await provisionEntity({
          connection: options.connection,
          target,
        });
        const changed = [
          result.folder,
          result.dashboard,
          ...result.alertRules,
        ].filter(r => r.change !== 'unchanged').length;
        line = {
          entityRef,
          outcome: 'provisioned',
          detail: `${result.dashboard.url} (${changed} object(s) created or updated)`,
        };
      } catch (error) {
        line = {
          entityRef,
          outcome: 'failed',
          detail: (error as Error).message,
        };
      }
    }
    lines.push(line);
    options.onLine?.(line);
  }
  // Then what is left of entities that are gone, renamed or no longer annotated. A new owner
  // needs nothing here: provisioning moved the dashboard and the rules into its folder.
  for (const removed of await removeOrphans({
    connection: options.connection,
    keep,
  })) {
    const line: CatalogProvisioningLine = {
      entityRef: removed.title,
      outcome: 'removed',
      detail: `${removed.kind} ${removed.uid}: its entity is no longer in the catalog with the Kubernetes annotations`,
    };
    lines.push(line);
    options.onLine?.(line);
  }
  return lines;
}
