import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError, isError } from '@backstage/errors';
import {
  defaultScmResolveUrl,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  REGISTERABLE_LOCATIONS_KEY,
  allowingPrefix,
} from '../lib/registerableLocations';
import { examples } from './register.examples';

/** The action's id. @public */
export const PORTAL_CATALOG_REGISTER_ID = 'portal:catalog:register';

/**
 * The entity a template links to: the Component if there is one, else the first entity that is not
 * the Location the catalog generates (the same choice as the built-in `catalog:register`).
 */
function mainEntity(entities: Entity[]): Entity | undefined {
  const own = entities.filter(e => !e.metadata.name.startsWith('generated-'));
  return own.find(e => e.kind === 'Component') ?? own[0] ?? entities[0];
}

function resolveCatalogInfoUrl(
  input: {
    repoContentsUrl?: string;
    catalogInfoPath?: string;
    catalogInfoUrl?: string;
  },
  integrations: ScmIntegrationRegistry,
  registerableLocations: string[],
): string {
  const { repoContentsUrl, catalogInfoUrl } = input;
  if (!repoContentsUrl === !catalogInfoUrl) {
    throw new InputError(
      'Give either repoContentsUrl (with an optional catalogInfoPath) or catalogInfoUrl',
    );
  }
  if (catalogInfoUrl) {
    return catalogInfoUrl;
  }
  const integration = integrations.byUrl(repoContentsUrl!);
  if (!integration) {
    // A host without an `integrations` entry that the configuration names as a registerable
    // location has its own URL reader (the local git server): plain URL resolution.
    const base = repoContentsUrl!.endsWith('/')
      ? repoContentsUrl!
      : `${repoContentsUrl}/`;
    if (allowingPrefix(base, registerableLocations)) {
      return defaultScmResolveUrl({
        base,
        url: (input.catalogInfoPath ?? '/catalog-info.yaml').replace(/^\//, ''),
      });
    }
    throw new InputError(
      `No integration is configured for ${repoContentsUrl}; the portal reads catalog files only from the hosts under 'integrations' in app-config`,
    );
  }
  return integration.resolveUrl({
    base: repoContentsUrl!,
    url: input.catalogInfoPath ?? '/catalog-info.yaml',
  });
}

/**
 * `portal:catalog:register`: registers a new service's catalog file, as the portal. Registering
 * locations is for admins only (the portal's permission policy), because a location may bring in
 * anything the catalog accepts from it; a template registers the repository it has just published
 * through this action instead, and only under a prefix of `permission.portalPolicy.registerableLocations`.
 * Which kinds the catalog then accepts from that location is up to `catalog.rules` (not Templates,
 * Users or Groups).
 *
 * @public
 */
export function createPortalCatalogRegisterAction(options: {
  catalog: CatalogService;
  auth: AuthService;
  integrations: ScmIntegrationRegistry;
  registerableLocations: string[];
}) {
  const { catalog, auth, integrations, registerableLocations } = options;
  return createTemplateAction({
    id: PORTAL_CATALOG_REGISTER_ID,
    description:
      'Registers the catalog file of the repository a template has just published, as the portal, when it is under one of the configured registerable locations',
    examples,
    schema: {
      // One of the two, as the built-in catalog:register takes them: a schema that accepts
      // neither would let a template step pass with no file at all.
      input: z =>
        z.union([
          z.object({
            repoContentsUrl: z
              .string()
              .describe(
                "The published repository's contents URL, as publish:azure and publish:github output it",
              ),
            catalogInfoPath: z
              .string()
              .optional()
              .describe(
                'Path of the catalog file from the repository root; /catalog-info.yaml when left out',
              ),
          }),
          z.object({
            catalogInfoUrl: z
              .string()
              .describe('The absolute URL of the catalog file'),
          }),
        ]),
      output: {
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('Ref of the main entity the file declares'),
        catalogInfoUrl: z =>
          z.string().describe('The URL of the registered catalog file'),
      },
    },
    async handler(ctx) {
      const catalogInfoUrl = resolveCatalogInfoUrl(
        ctx.input,
        integrations,
        registerableLocations,
      );
      const prefix = allowingPrefix(catalogInfoUrl, registerableLocations);
      if (!prefix) {
        throw new NotAllowedError(
          `${catalogInfoUrl} is not under a location the portal registers services from (${REGISTERABLE_LOCATIONS_KEY}: ${
            registerableLocations.join(', ') || 'none configured'
          }). Publish the repository there, or ask a portal admin to register it or to add its organisation to ${REGISTERABLE_LOCATIONS_KEY}.`,
        );
      }
      ctx.logger.info(
        `Registering ${catalogInfoUrl} in the catalog (allowed by ${prefix})`,
      );
      const credentials = await auth.getOwnServiceCredentials();
      await ctx.checkpoint({
        key: `register ${catalogInfoUrl}`,
        fn: async () => {
          try {
            await catalog.addLocation(
              { type: 'url', target: catalogInfoUrl },
              { credentials },
            );
          } catch (error) {
            // A retried task finds the location it registered before: that is the goal reached.
            if (isError(error) && error.name === 'ConflictError') {
              ctx.logger.info(`${catalogInfoUrl} is already registered`);
              return;
            }
            throw error;
          }
        },
      });
      const { entities } = await catalog.addLocation(
        { type: 'url', target: catalogInfoUrl, dryRun: true },
        { credentials },
      );
      const entity = mainEntity(entities);
      if (entity) {
        ctx.output('entityRef', stringifyEntityRef(entity));
      }
      ctx.output('catalogInfoUrl', catalogInfoUrl);
    },
  });
}
