import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { PipelineRef } from '../lib/annotations';
import type {
  AzurePipelinesApi,
  PipelineRun,
  PipelineRuns,
} from './AzurePipelinesApi';

/**
 * The proxy endpoint in front of https://dev.azure.com, read-only, that signs requests with a
 * read-only token (app-config `proxy.endpoints`, docs/azure-devops.md).
 *
 * @public
 */
export const PROXY_PATH = '/azure-devops';

/** How many runs the card lists. */
const RUNS_SHOWN = 5;

interface RunResponse {
  id: number;
  name: string;
  state: string;
  result?: string;
  createdDate?: string;
  _links?: { web?: { href?: string } };
}

/**
 * Reads pipelines and runs through the Backstage proxy, so the browser holds no Azure DevOps
 * token.
 *
 * @public
 */
export class AzurePipelinesClient implements AzurePipelinesApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getRuns(ref: PipelineRef): Promise<PipelineRuns | undefined> {
    // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/definitions/list?view=azure-devops-rest-7.1
    const definitions = await this.get<{
      value: {
        id: number;
        name: string;
        _links?: { web?: { href?: string } };
      }[];
    }>(ref, 'build/definitions', { name: ref.pipelineName });
    const pipeline = definitions.value.find(d => d.name === ref.pipelineName);
    if (!pipeline) {
      return undefined;
    }
    // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/list?view=azure-devops-rest-7.1
    const runs = await this.get<{ value: RunResponse[] }>(
      ref,
      `pipelines/${pipeline.id}/runs`,
      {},
    );
    const web = `https://dev.azure.com/${encodeURIComponent(
      ref.organization,
    )}/${encodeURIComponent(ref.project)}`;
    return {
      pipelineId: pipeline.id,
      pipelineUrl:
        pipeline._links?.web?.href ??
        `${web}/_build?definitionId=${pipeline.id}`,
      runs: runs.value.slice(0, RUNS_SHOWN).map(
        (run): PipelineRun => ({
          id: run.id,
          name: run.name,
          state: run.state,
          result: run.result,
          createdDate: run.createdDate,
          url:
            run._links?.web?.href ?? `${web}/_build/results?buildId=${run.id}`,
        }),
      ),
    };
  }

  private async get<T>(
    ref: PipelineRef,
    path: string,
    query: Record<string, string>,
  ): Promise<T> {
    const proxy = await this.discoveryApi.getBaseUrl('proxy');
    const params = new URLSearchParams({ ...query, 'api-version': '7.1' });
    const res = await this.fetchApi.fetch(
      `${proxy}${PROXY_PATH}/${encodeURIComponent(
        ref.organization,
      )}/${encodeURIComponent(ref.project)}/_apis/${path}?${params}`,
      { headers: { Accept: 'application/json' } },
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }
}
