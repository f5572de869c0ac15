import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { API_VERSIONS, AzureDevOpsClient } from '../lib/client';
import type { ClientFactory, PipelineLocation } from '../lib/connect';
import {
  entityRefInput,
  locationInput,
  ownerInput,
  tokenInput,
} from '../lib/inputs';
import { findServiceConnections } from '../lib/lookups';
import {
  adoptPipeline,
  normaliseEntityRef,
  writePipelineMark,
} from '../lib/pipelineMark';
import {
  checkGranted,
  checkMember,
  ownerGroup,
  userClaims,
  type TeamAccess,
} from '../lib/teamAccess';
import { endIfNotConfigured } from '../lib/unconfigured';
import type { UnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { examples } from './pipelineEnsure.examples';

/** The action's id. */
export const PIPELINE_ENSURE_ACTION_ID = 'azure:pipeline:ensure';

// Defaults of optional inputs; the handler applies them, as the scaffolder does not.
const DEFAULT_FOLDER = '\\';
const DEFAULT_YAML_PATH = 'azure-pipelines.yml';

/** A build definition as Definitions - List answers with `includeAllProperties=true`. */
interface BuildDefinition {
  id: number;
  name: string;
  path: string;
  repository?: { id?: string; name?: string; type?: string };
  process?: { yamlFilename?: string };
  _links?: { web?: { href?: string } };
}

/** A pipeline as Pipelines - Create answers. */
interface Pipeline {
  id: number;
  name: string;
  folder: string;
  _links?: { web?: { href?: string } };
}

/** What the step found or made; stored as the step's checkpoint. */
interface EnsuredPipeline {
  [key: string]: string | number | boolean;
  pipelineId: number;
  pipelineUrl: string;
  created: boolean;
  /** True when this step wrote the portal's mark on the pipeline. */
  marked: boolean;
}

/** Where the pipeline's YAML lives: the repository, and for GitHub the connection it reads through. */
export type PipelineRepository =
  | { type: 'azureReposGit'; name: string }
  | { type: 'gitHub'; name: string; serviceConnection: string };

/** Folder paths compare as Azure DevOps compares them: without regard to case. */
const sameText = (a?: string, b?: string) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/**
 * Folder paths as the build API stores them: backslashes, leading backslash, no trailing one.
 */
export function normalizeFolder(folder: string): string {
  const parts = folder.split(/[\\/]+/).filter(Boolean);
  return `\\${parts.join('\\')}`;
}

function sameRepository(
  definition: BuildDefinition,
  repository: PipelineRepository,
): boolean {
  const repo = definition.repository;
  if (!repo) {
    return false;
  }
  // The build API names Azure Repos `TfsGit` and GitHub `GitHub`, and keeps GitHub repositories
  // under their full `owner/name`.
  const type = repository.type === 'gitHub' ? 'github' : 'tfsgit';
  return (
    (repo.type ?? '').toLowerCase() === type &&
    (repo.name ?? '').toLowerCase() === repository.name.toLowerCase()
  );
}

async function findDefinition(
  client: AzureDevOpsClient,
  name: string,
  folder: string,
): Promise<BuildDefinition | undefined> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/definitions/list?view=azure-devops-rest-7.1
  const found = await client.requestAll<BuildDefinition>({
    method: 'GET',
    path: 'build/definitions',
    apiVersion: API_VERSIONS.build,
    query: { name, path: folder, includeAllProperties: 'true' },
    context: { operation: `look up the pipeline '${name}'`, scope: 'build' },
  });
  // The filters are patterns and folders ("under this folder"), and names are not case-sensitive:
  // keep the one definition of this name in exactly this folder.
  return found.value.find(
    d => sameText(d.name, name) && sameText(d.path, folder),
  );
}

async function repositoryParameters(
  client: AzureDevOpsClient,
  repository: PipelineRepository,
) {
  if (repository.type === 'azureReposGit') {
    // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/repositories/get-repository?view=azure-devops-rest-7.1
    const repo = await client.request<{ id: string; name: string }>({
      method: 'GET',
      path: `git/repositories/${encodeURIComponent(repository.name)}`,
      apiVersion: API_VERSIONS.git,
      context: {
        operation: `find the repository '${repository.name}'`,
        scope: 'code',
      },
    });
    return { id: repo.id, name: repo.name, type: 'azureReposGit' };
  }
  const [connection] = await findServiceConnections(client, [
    { name: repository.serviceConnection, kind: 'github' },
  ]);
  return {
    fullName: repository.name,
    connection: { id: connection.id },
    type: 'gitHub',
  };
}

function pipelineRepository(
  where: PipelineLocation,
  serviceConnection?: string,
): PipelineRepository {
  if (where.repository.type === 'azureReposGit') {
    return where.repository;
  }
  if (!serviceConnection) {
    throw new InputError(
      `The pipeline of GitHub repository '${where.repository.name}' reads it through a GitHub service connection: give the step githubServiceConnection.`,
    );
  }
  return { ...where.repository, serviceConnection };
}

/**
 * Creates `azure:pipeline:ensure`: finds the YAML pipeline of a repository by name and folder,
 * or creates it, for a repository on Azure Repos or on GitHub (through a GitHub service
 * connection). A pipeline of that name on another repository is an error, never replaced. The
 * pipeline is marked with the entity it is for and its owner group (build definition tags), which
 * `azure:pipeline:authorize` and `azure:pipeline:start` read back; a found pipeline marked for
 * another entity is refused. Only a signed-in member of the owner group may run it.
 * @public
 */
export function createAzurePipelineEnsureAction(options: {
  connect: ClientFactory;
  /** `azurePipelines.teams`: the GitHub service connections each owner group may build with. */
  access: TeamAccess;
  /** `goldenPath.unconfiguredServices`: how the step ends without Azure DevOps; `fail` by default. */
  unconfigured?: UnconfiguredServices;
}) {
  return createTemplateAction({
    id: PIPELINE_ENSURE_ACTION_ID,
    description:
      "Finds or creates a YAML pipeline on a repository's pipeline file (Azure Repos, or GitHub through a service connection), with the signed-in user's token when given. Running it again for the same repository creates nothing.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...locationInput,
        token: tokenInput,
        entityRef: entityRefInput,
        owner: ownerInput,
        name: z =>
          z
            .string()
            .min(1)
            .max(255)
            .regex(/^[^\\/:*?"<>|]+$/, 'must not contain \\ / : * ? " < > |')
            .describe('The pipeline name; the service name is a good one.'),
        folder: z =>
          z
            .string()
            .default(DEFAULT_FOLDER)
            .describe(
              'The pipelines folder, e.g. `\\dashboards`; the root by default.',
            ),
        yamlPath: z =>
          z
            .string()
            .default(DEFAULT_YAML_PATH)
            .describe("The pipeline file's path in the repository."),
        githubServiceConnection: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'For a GitHub repository: the name of the GitHub service connection the pipeline reads it through.',
            ),
      },
      output: {
        pipelineId: z =>
          z.number().describe('The pipeline (build definition) id.'),
        pipelineUrl: z => z.string().describe("The pipeline's web page."),
        created: z =>
          z.boolean().describe('False when the pipeline existed already.'),
      },
    },
    async handler(ctx) {
      // The scaffolder checks input against the JSON schema but does not apply its defaults.
      const { name } = ctx.input;
      if (
        endIfNotConfigured(ctx, options.connect, options.unconfigured ?? 'fail')
      ) {
        ctx.output('pipelineId', 0);
        ctx.output('created', false);
        return;
      }
      const where = options.connect.locate(ctx.input);
      const repository = pipelineRepository(
        where,
        ctx.input.githubServiceConnection,
      );
      const yamlPath = ctx.input.yamlPath ?? DEFAULT_YAML_PATH;
      const folder = normalizeFolder(ctx.input.folder ?? DEFAULT_FOLDER);
      const mark = {
        owner: ownerGroup(ctx.input.owner),
        entityRef: normaliseEntityRef(ctx.input.entityRef),
      };
      if (ctx.user?.entity || !ctx.isDryRun) {
        checkMember(mark.owner, userClaims(ctx.user), 'create its pipelines');
      }
      // The connection reads every repository its GitHub App installation or OAuth user can reach:
      // only one granted to the owner, as for the connections authorize grants.
      if (
        where.repository.type === 'gitHub' &&
        ctx.input.githubServiceConnection
      ) {
        checkGranted(
          options.access,
          mark.owner,
          'github',
          ctx.input.githubServiceConnection,
        );
      }

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would find or create the pipeline '${name}' in ${folder} on ${repository.type} repository '${repository.name}' (${yamlPath})`,
        );
        ctx.output('pipelineId', 0);
        ctx.output('pipelineUrl', options.connect.webUrl(where, '_build'));
        ctx.output('created', false);
        return;
      }

      const client = await options.connect.client({
        ...where,
        token: ctx.input.token,
      });

      const result = await ctx.checkpoint<EnsuredPipeline>({
        key: `azure-pipeline-${client.organization}-${client.project}-${folder}-${name}`,
        fn: async () => {
          const existing = await findDefinition(client, name, folder);
          if (existing) {
            if (!sameRepository(existing, repository)) {
              throw new InputError(
                `A pipeline named '${name}' exists in ${folder} of project '${client.project}' but builds ` +
                  `${existing.repository?.type ?? 'another'} repository '${
                    existing.repository?.name ?? '?'
                  }', ` +
                  `not '${repository.name}'. Rename or delete that pipeline in Azure DevOps, or choose another service name.`,
              );
            }
            const file = existing.process?.yamlFilename;
            if (
              file &&
              !sameText(file.replace(/^\//, ''), yamlPath.replace(/^\//, ''))
            ) {
              throw new InputError(
                `The pipeline '${name}' in ${folder} of project '${client.project}' runs '${file}', not '${yamlPath}'. ` +
                  `Point it at ${yamlPath} in Azure DevOps (Edit > Settings), or delete it so the template creates it again.`,
              );
            }
            // An earlier run that created the pipeline but failed to mark it left it unmarked.
            const marked = await adoptPipeline(client, existing.id, mark);
            return {
              pipelineId: existing.id,
              pipelineUrl:
                existing._links?.web?.href ??
                client.webUrl(`_build?definitionId=${existing.id}`),
              created: false,
              marked,
            };
          }
          // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/pipelines/create?view=azure-devops-rest-7.1
          const pipeline = await client.request<Pipeline>({
            method: 'POST',
            path: 'pipelines',
            apiVersion: API_VERSIONS.pipelines,
            body: {
              name,
              folder,
              configuration: {
                type: 'yaml',
                path: yamlPath,
                repository: await repositoryParameters(client, repository),
              },
            },
            context: {
              operation: `create the pipeline '${name}'`,
              scope: 'build',
            },
          });
          await writePipelineMark(client, pipeline.id, mark);
          return {
            pipelineId: pipeline.id,
            pipelineUrl:
              pipeline._links?.web?.href ??
              client.webUrl(`_build?definitionId=${pipeline.id}`),
            created: true,
            marked: true,
          };
        },
      });

      ctx.logger.info(
        result.created
          ? `Created the pipeline '${name}' (id ${result.pipelineId}) for ${mark.entityRef} of ${mark.owner}: ${result.pipelineUrl}`
          : `The pipeline '${name}' (id ${
              result.pipelineId
            }) exists already on '${repository.name}'; ${
              result.marked
                ? `marked it as the portal's for ${mark.entityRef} of ${mark.owner}, otherwise left as it is`
                : 'left as it is'
            }: ${result.pipelineUrl}`,
      );
      ctx.output('pipelineId', result.pipelineId);
      ctx.output('pipelineUrl', result.pipelineUrl);
      ctx.output('created', result.created);
    },
  });
}
