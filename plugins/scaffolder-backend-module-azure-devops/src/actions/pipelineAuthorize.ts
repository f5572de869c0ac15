import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { API_VERSIONS, AzureDevOpsClient } from '../lib/client';
import type { ClientFactory } from '../lib/connect';
import { commonInput, pipelineIdInput } from '../lib/inputs';
import { findServiceConnections } from '../lib/lookups';
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

/** A protected resource the pipeline uses. */
interface Resource {
  /** `endpoint` or `environment`, as the permissions API names them. */
  type: 'endpoint' | 'environment';
  id: string;
  /** For messages: `service connection 'acr'`. */
  label: string;
}

async function ensureEnvironment(
  client: AzureDevOpsClient,
  name: string,
  description: string,
): Promise<{ environment: Environment; created: boolean }> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/distributedtask/environments/list?view=azure-devops-rest-7.1
  const found = await client.request<{ value: Environment[] }>({
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
    },
  });
  return { environment, created: true };
}

/** Authorizes the pipeline on one resource unless it (or every pipeline) is already. */
async function authorize(
  client: AzureDevOpsClient,
  resource: Resource,
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
    },
  });
  return true;
}

/**
 * Creates `azure:pipeline:authorize`: lets a pipeline use the service connections and the
 * environment its YAML names, creating the environment when the project has none of that name.
 * Resources the pipeline may use already are left alone.
 * @public
 */
export function createAzurePipelineAuthorizeAction(options: {
  connect: ClientFactory;
}) {
  return createTemplateAction({
    id: PIPELINE_AUTHORIZE_ACTION_ID,
    description:
      'Authorizes a pipeline on service connections and on an environment (created when missing), so its first run does not wait for someone to permit it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...commonInput,
        pipelineId: pipelineIdInput,
        serviceConnections: z =>
          z
            .array(z.string().min(1))
            .min(1)
            .describe('Names of the service connections the pipeline uses.'),
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
      },
    },
    async handler(ctx) {
      const { pipelineId, serviceConnections, environment } = ctx.input;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would authorize pipeline ${pipelineId} on the service connections ${serviceConnections
            .map(n => `'${n}'`)
            .join(
              ', ',
            )} and on the environment '${environment}' (created when missing)`,
        );
        ctx.output('environmentId', 0);
        ctx.output(
          'environmentUrl',
          options.connect.webUrl(ctx.input, '_environments'),
        );
        ctx.output('environmentCreated', false);
        ctx.output('authorized', []);
        return;
      }

      const client = await options.connect.client(ctx.input);

      const result = await ctx.checkpoint({
        key: `azure-authorize-${client.organization}-${
          client.project
        }-${pipelineId}-${environment}-${serviceConnections.join(',')}`,
        fn: async () => {
          const connections = await findServiceConnections(
            client,
            serviceConnections,
          );
          const env = await ensureEnvironment(
            client,
            environment,
            ctx.input.environmentDescription ?? DEFAULT_ENVIRONMENT_DESCRIPTION,
          );
          const resources: Resource[] = [
            ...connections.map(c => ({
              type: 'endpoint' as const,
              id: c.id,
              label: `service connection '${c.name}'`,
            })),
            {
              type: 'environment' as const,
              id: String(env.environment.id),
              label: `environment '${env.environment.name}'`,
            },
          ];
          const authorized: string[] = [];
          for (const resource of resources) {
            if (await authorize(client, resource, pipelineId)) {
              authorized.push(resource.label);
            }
          }
          return {
            environmentId: env.environment.id,
            environmentCreated: env.created,
            authorized,
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
      ctx.output('environmentId', result.environmentId);
      ctx.output(
        'environmentUrl',
        client.webUrl(`_environments/${result.environmentId}`),
      );
      ctx.output('environmentCreated', result.environmentCreated);
      ctx.output('authorized', result.authorized);
    },
  });
}
