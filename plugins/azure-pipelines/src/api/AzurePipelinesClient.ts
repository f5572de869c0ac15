import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { AuthenticationError, ResponseError } from '@backstage/errors';
import type { PipelineRef } from '../lib/annotations';
import { describeRefusal, refusalOf } from '../lib/answers';
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

/** How many runs the card lists. @public */
export const RUNS_SHOWN = 5;

/**
 * The order the card asks Builds - List for, and shows: most recently queued first. One of the
 * `queryOrder` values of the REST reference.
 *
 * @public
 */
export const RUNS_ORDER = 'queueTimeDescending';

/** The fields of a Build the card reads (specification/build/7.1/build.json, `Build`). */
interface BuildResponse {
  id: number;
  buildNumber: string;
  status: string;
  result?: string;
  queueTime?: string;
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
    // Azure DevOps compares names without regard to letter case, and so does the card.
    const wanted = ref.pipelineName.toLocaleLowerCase('en-US');
    const pipeline = definitions.value.find(
      d => d.name.toLocaleLowerCase('en-US') === wanted,
    );
    if (!pipeline) {
      return undefined;
    }
    // Builds - List, not Runs - List: only Builds - List takes `$top` and `queryOrder`; Runs - List
    // answers up to 10,000 runs in no documented order (specification/pipelines/7.1/pipelines.json,
    // Runs_List). A YAML pipeline's runs are its builds, with the same ids.
    // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/builds/list?view=azure-devops-rest-7.1
    const builds = await this.get<{ value: BuildResponse[] }>(
      ref,
      'build/builds',
      {
        definitions: String(pipeline.id),
        $top: String(RUNS_SHOWN),
        queryOrder: RUNS_ORDER,
      },
    );
    const web = `https://dev.azure.com/${encodeURIComponent(
      ref.organization,
    )}/${encodeURIComponent(ref.project)}`;
    return {
      pipelineId: pipeline.id,
      pipelineUrl:
        pipeline._links?.web?.href ??
        `${web}/_build?definitionId=${pipeline.id}`,
      runs: builds.value.slice(0, RUNS_SHOWN).map(
        (build): PipelineRun => ({
          id: build.id,
          name: build.buildNumber,
          status: build.status,
          result: build.result,
          queueTime: build.queueTime,
          url:
            build._links?.web?.href ??
            `${web}/_build/results?buildId=${build.id}`,
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
      // A redirect here is Azure DevOps sending the request to its sign-in page: followed, the
      // browser would fail on the cross-origin page with a bare network error.
      { headers: { Accept: 'application/json' }, redirect: 'manual' },
    );
    return (await this.check(res, ref)) as T;
  }

  /** The parsed body of a good answer; an error that says what went wrong for any other. */
  private async check(res: Response, ref: PipelineRef): Promise<unknown> {
    const text = await res.clone().text();
    const refusal = refusalOf(res, text);
    if (refusal) {
      throw new AuthenticationError(describeRefusal(ref, refusal));
    }
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(
        `Azure DevOps answered ${
          res.url || 'the proxy request'
        } with a body that is not JSON (status ${res.status}).`,
      );
    }
  }
}
