import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ensureBranchControl, ProtectedResource } from '../lib/branchControl';
import { API_VERSIONS, AzureDevOpsClient } from '../lib/client';
import type { ClientFactory } from '../lib/connect';
import {
  entityRefInput,
  locationInput,
  ownerInput,
  pipelineIdInput,
} from '../lib/inputs';
import { ConnectionKind, findServiceConnections } from '../lib/lookups';
import { checkPipelineMark, normaliseEntityRef } from '../lib/pipelineMark';
import {
  checkGranted,
  checkMember,
  ownerGroup,
  TeamAccess,
  userClaims,
} from '../lib/teamAccess';
import { endIfNotConfigured } from '../lib/unconfigured';
import type { UnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { examples } from './pipelineAuthorize.examples';

/** The action's id. */
export const PIPELINE_AUTHORIZE_ACTION_ID = 'azure:pipeline:authorize';

// Applied by the handler, as the scaffolder does not apply schema defaults.
const DEFAULT_ENVIRONMENT_DESCRIPTION =
  'Created by the portal for the pipelines of its services.';

/** An environment as Environments - List and Add answer. */
interface Environment {
  id: number;
  name: string;
}

/** A resource's pipeline permissions as Pipeline Permissions - Get answers. */
interface ResourcePipelinePermissions {
  allPipelines?: { authorized?: boolean } | null;
  pipelines?: { id: number; authorized: boolean }[];
}

async function ensureEnvironment(
  client: AzureDevOpsClient,
  name: string,
  description: string,
): Promise<{ environment: Environment; created: boolean }> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/distributedtask/environments/list?view=azure-devops-rest-7.1
  const found = await client.requestAll<Environment>({
    method: 'GET',
    path: 'distributedtask/environments',
    apiVersion: API_VERSIONS.environments,
    query: { name },
    context: {
      operation: `look up the environment '${name}'`,
      scope: 'environments',
    },
  });
  const existing = found.value.find(
    e => e.name.toLowerCase() === name.toLowerCase(),
  );
  if (existing) {
    return { environment: existing, created: false };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/distributedtask/environments/add?view=azure-devops-rest-7.1
  const environment = await client.request<Environment>({
    method: 'POST',
    path: 'distributedtask/environments',
    apiVersion: API_VERSIONS.environments,
    body: { name, description },
    context: {
      operation: `create the environment '${name}'`,
      scope: 'environments',
      role: 'the Creator role on environments (Pipelines > Environments > Security)',
    },
  });
  return { environment, created: true };
}

/** Authorizes the pipeline on one resource unless it (or every pipeline) is already. */
async function authorize(
  client: AzureDevOpsClient,
  resource: ProtectedResource,
  pipelineId: number,
): Promise<boolean> {
  const path = `pipelines/pipelinepermissions/${
    resource.type
  }/${encodeURIComponent(resource.id)}`;
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/pipeline-permissions/get?view=azure-devops-rest-7.1
  const current = await client.request<ResourcePipelinePermissions>({
    method: 'GET',
    path,
    apiVersion: API_VERSIONS.permissions,
    context: {
      operation: `read the pipeline permissions of the ${resource.label}`,
      scope: 'permissions',
    },
  });
  if (
    current?.allPipelines?.authorized ||
    current?.pipelines?.some(p => p.id === pipelineId && p.authorized)
  ) {
    return false;
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/pipeline-permissions/update-pipeline-permisions-for-resource?view=azure-devops-rest-7.1
  await client.request({
    method: 'PATCH',
    path,
    apiVersion: API_VERSIONS.permissions,
    body: { pipelines: [{ id: pipelineId, authorized: true }] },
    context: {
      operation: `authorize pipeline ${pipelineId} on the ${resource.label}`,
      scope: 'permissions',
      // "Azure Pipelines requires the administrator role to open access to a protected resource"
      // (learn.microsoft.com/azure/devops/pipelines/library/add-resource-protection).
      role: `the Administrator role on the ${resource.label} (${resource.settingsPath} > Security)`,
    },
  });
  return true;
}

/**
 * Creates `azure:pipeline:authorize`: lets a pipeline use the service connections and the
 * environment its YAML names (creating the environment when the project has none of that name),
 * and protects the registry and Kubernetes connections and the environment with the portal's
 * branch-control check, so that only runs of main can use them, whatever a pull request changes in
 * the YAML. Always runs with the portal's token: both need the Administrator role on the resources,
 * which project members do not have. So it acts only for a signed-in member of the owner group,
 * only with the connections and environment `azurePipelines.teams` grants that group, and only on
 * a pipeline the portal marked for the same entity and owner.
 * @public
 */
export function createAzurePipelineAuthorizeAction(options: {
  connect: ClientFactory;
  access: TeamAccess;
  /** `goldenPath.unconfiguredServices`: how the step ends without Azure DevOps; `fail` by default. */
  unconfigured?: UnconfiguredServices;
}) {
  return createTemplateAction({
    id: PIPELINE_AUTHORIZE_ACTION_ID,
    description:
      "Authorizes a pipeline on its service connections and environment (created when missing), and adds a branch-control check allowing only main to the registry and Kubernetes connections and the environment. Runs with the portal's token.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...locationInput,
        pipelineId: pipelineIdInput,
        entityRef: entityRefInput,
        owner: ownerInput,
        registryServiceConnection: z =>
          z
            .string()
            .min(1)
            .describe(
              'The Docker Registry service connection the pipeline pushes with.',
            ),
        kubernetesServiceConnection: z =>
          z
            .string()
            .min(1)
            .describe(
              'The Kubernetes service connection the pipeline deploys with.',
            ),
        dockerHubNamespace: z =>
          z
            .string()
            .optional()
            .describe(
              'For a Docker Hub image: the namespace it is pushed to (docker.io/<namespace>/<name>); one granted to the owner. Empty or absent for another registry.',
            ),
        githubServiceConnection: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'For a GitHub repository: the GitHub service connection the pipeline reads it through; authorized, not restricted to main (pull-request runs read through it).',
            ),
        environment: z =>
          z
            .string()
            .min(1)
            .max(100)
            .describe(
              'The environment its deployment job deploys to; created when missing.',
            ),
        environmentDescription: z =>
          z
            .string()
            .max(400)
            .default(DEFAULT_ENVIRONMENT_DESCRIPTION)
            .describe('Description of the environment when it is created.'),
      },
      output: {
        environmentId: z => z.number().describe('The environment id.'),
        environmentUrl: z => z.string().describe("The environment's web page."),
        environmentCreated: z =>
          z.boolean().describe('True when this step created the environment.'),
        authorized: z =>
          z
            .array(z.string())
            .describe(
              'The resources this step authorized; empty when all were already.',
            ),
        protected: z =>
          z
            .array(z.string())
            .describe(
              'The resources this step added the branch-control check to; empty when all had it.',
            ),
      },
    },
    async handler(ctx) {
      const { pipelineId } = ctx.input;
      // The portal's token: authorizing and checks are administrators' permissions.
      if (
        endIfNotConfigured(
          ctx,
          options.connect,
          options.unconfigured ?? 'fail',
          { portalTokenOnly: true },
        )
      ) {
        ctx.output('environmentId', 0);
        ctx.output('environmentCreated', false);
        ctx.output('authorized', []);
        ctx.output('protected', []);
        return;
      }
      const where = options.connect.locate(ctx.input);
      const owner = ownerGroup(ctx.input.owner);
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      // A dry run by the template editor without a catalog user checks the grants only.
      if (ctx.user?.entity || !ctx.isDryRun) {
        checkMember(
          owner,
          userClaims(ctx.user),
          `authorize pipelines on the service connections and environments granted to it`,
        );
      }
      // Whatever the template passes: only what azurePipelines.teams grants the owner.
      const registry = ctx.input.registryServiceConnection;
      const kubernetes = ctx.input.kubernetesServiceConnection;
      const environment = ctx.input.environment;
      checkGranted(options.access, owner, 'registry', registry);
      checkGranted(options.access, owner, 'kubernetes', kubernetes);
      checkGranted(options.access, owner, 'environment', environment);
      // Pushing with the team's own connection into another team's namespace would put images
      // where that team deploys from.
      if (ctx.input.dockerHubNamespace) {
        checkGranted(
          options.access,
          owner,
          'dockerhub',
          ctx.input.dockerHubNamespace,
        );
      }
      // A GitHub connection reads every repository its GitHub App installation or OAuth user can:
      // another team's would let this pipeline read that team's repositories.
      if (
        where.repository.type === 'gitHub' &&
        ctx.input.githubServiceConnection
      ) {
        checkGranted(
          options.access,
          owner,
          'github',
          ctx.input.githubServiceConnection,
        );
      }
      const wanted: { name: string; kind: ConnectionKind }[] = [
        { name: registry, kind: 'registry' },
        { name: kubernetes, kind: 'kubernetes' },
        ...(where.repository.type === 'gitHub' &&
        ctx.input.githubServiceConnection
          ? [
              {
                name: ctx.input.githubServiceConnection,
                kind: 'github' as const,
              },
            ]
          : []),
      ];

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would authorize pipeline ${pipelineId} on the service connections ${wanted
            .map(w => `'${w.name}'`)
            .join(
              ', ',
            )} and on the environment '${environment}' (created when missing), and allow only main to use the registry and Kubernetes connections and the environment`,
        );
        ctx.output('environmentId', 0);
        ctx.output(
          'environmentUrl',
          options.connect.webUrl(where, '_environments'),
        );
        ctx.output('environmentCreated', false);
        ctx.output('authorized', []);
        ctx.output('protected', []);
        return;
      }

      const client = await options.connect.client(where);

      const result = await ctx.checkpoint({
        key: `azure-authorize-${client.organization}-${
          client.project
        }-${pipelineId}-${environment}-${wanted.map(w => w.name).join(',')}`,
        fn: async () => {
          await checkPipelineMark(
            client,
            pipelineId,
            { entityRef, owner },
            'authorize it',
          );
          const connections = await findServiceConnections(client, wanted);
          const env = await ensureEnvironment(
            client,
            environment,
            ctx.input.environmentDescription ?? DEFAULT_ENVIRONMENT_DESCRIPTION,
          );
          const resources = [
            ...connections.map((c, i) => ({
              type: 'endpoint' as const,
              id: c.id,
              name: c.name,
              label: `service connection '${c.name}'`,
              settingsPath: `Project settings > Service connections > ${c.name}`,
              // Pull-request runs read the repository through the GitHub connection.
              mainOnly: wanted[i].kind !== 'github',
            })),
            {
              type: 'environment' as const,
              id: String(env.environment.id),
              name: env.environment.name,
              label: `environment '${env.environment.name}'`,
              settingsPath: `Pipelines > Environments > ${env.environment.name}`,
              mainOnly: true,
            },
          ];
          const authorized: string[] = [];
          const protectedResources: string[] = [];
          // Protect first: the pipeline is never allowed a resource that a pull request could use.
          for (const resource of resources.filter(r => r.mainOnly)) {
            if (await ensureBranchControl(client, resource)) {
              protectedResources.push(resource.label);
            }
          }
          for (const resource of resources) {
            if (await authorize(client, resource, pipelineId)) {
              authorized.push(resource.label);
            }
          }
          return {
            environmentId: env.environment.id,
            environmentCreated: env.created,
            authorized,
            protected: protectedResources,
          };
        },
      });

      if (result.environmentCreated) {
        ctx.logger.info(`Created the environment '${environment}'`);
      }
      ctx.logger.info(
        result.authorized.length > 0
          ? `Authorized pipeline ${pipelineId} on the ${result.authorized.join(
              ', ',
            )}`
          : `Pipeline ${pipelineId} was already authorized on every service connection and the environment`,
      );
      ctx.logger.info(
        result.protected.length > 0
          ? `Only runs of main may now use the ${result.protected.join(
              ', ',
            )} (branch-control check)`
          : 'The registry and Kubernetes connections and the environment already allowed only runs of main',
      );
      ctx.output('environmentId', result.environmentId);
      ctx.output(
        'environmentUrl',
        client.webUrl(`_environments/${result.environmentId}`),
      );
      ctx.output('environmentCreated', result.environmentCreated);
      ctx.output('authorized', result.authorized);
      ctx.output('protected', result.protected);
    },
  });
}
