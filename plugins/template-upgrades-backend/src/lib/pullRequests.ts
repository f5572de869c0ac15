import { AuthenticationError, ConflictError } from '@backstage/errors';

/** An open pull request of the upgrade branch. */
export interface OpenPullRequest {
  number: number;
  url: string;
}

/** The pull-request API of the host a service repository lives on. */
export interface PullRequestHost {
  /** `github` or `azure`. */
  readonly kind: 'github' | 'azure';
  /** The open pull request from `branch`, if any. */
  findOpen(branch: string): Promise<OpenPullRequest | undefined>;
  create(pr: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }): Promise<OpenPullRequest>;
  update(
    number: number,
    pr: { title: string; body: string },
  ): Promise<OpenPullRequest>;
}

async function check(res: Response, what: string): Promise<any> {
  const body: any = await res.json().catch(() => ({}));
  if (res.ok) return body;
  const detail = body?.message ?? '';
  if (res.status === 401 || res.status === 403) {
    throw new AuthenticationError(
      `${what} was refused (${res.status} ${detail}); check the token of this host in the integrations config`.replace(
        '  ',
        ' ',
      ),
    );
  }
  if (res.status === 409 || res.status === 422) {
    throw new ConflictError(`${what} answered ${res.status}: ${detail}`);
  }
  throw new Error(`${what} answered ${res.status} ${detail}`.trim());
}

/**
 * GitHub's REST API for pull requests
 * (https://docs.github.com/en/rest/pulls/pulls): list with `head=<owner>:<branch>` and
 * `state=open` ("List pull requests"), "Create a pull request" (422 when one already exists for
 * the head), "Update a pull request" (PATCH).
 */
export class GitHubPullRequests implements PullRequestHost {
  readonly kind = 'github' as const;

  constructor(
    private readonly options: {
      apiBaseUrl: string;
      owner: string;
      repo: string;
      token: string;
    },
  ) {}

  private request(path: string, init: RequestInit = {}) {
    const { apiBaseUrl, owner, repo, token } = this.options;
    return fetch(`${apiBaseUrl}/repos/${owner}/${repo}${path}`, {
      ...init,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  }

  async findOpen(branch: string) {
    const head = encodeURIComponent(`${this.options.owner}:${branch}`);
    const list = await check(
      await this.request(`/pulls?state=open&head=${head}`),
      'Listing the pull requests on GitHub',
    );
    const pr = Array.isArray(list) ? list[0] : undefined;
    return pr ? { number: pr.number, url: pr.html_url } : undefined;
  }

  async create(pr: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }) {
    const created = await check(
      await this.request('/pulls', {
        method: 'POST',
        body: JSON.stringify({
          title: pr.title,
          body: pr.body,
          head: pr.branch,
          base: pr.base,
        }),
      }),
      'Opening the pull request on GitHub',
    );
    return { number: created.number, url: created.html_url };
  }

  async update(number: number, pr: { title: string; body: string }) {
    const updated = await check(
      await this.request(`/pulls/${number}`, {
        method: 'PATCH',
        body: JSON.stringify({ title: pr.title, body: pr.body }),
      }),
      `Updating pull request #${number} on GitHub`,
    );
    return { number: updated.number, url: updated.html_url };
  }
}

/** The Azure DevOps REST API version the calls are made with. */
export const AZURE_API_VERSION = '7.1';

/**
 * Azure Repos' pull-request API
 * (https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-requests): "Get Pull
 * Requests" with `searchCriteria.sourceRefName` and `searchCriteria.status=active`, "Create"
 * (409 when an active pull request for the same source and target exists), "Update" (PATCH).
 */
export class AzureReposPullRequests implements PullRequestHost {
  readonly kind = 'azure' as const;

  constructor(
    private readonly options: {
      /** `https://dev.azure.com/<organization>/<project>` */
      projectUrl: string;
      repo: string;
      token: string;
    },
  ) {}

  private request(path: string, query: string, init: RequestInit = {}) {
    const { projectUrl, repo, token } = this.options;
    return fetch(
      `${projectUrl}/_apis/git/repositories/${encodeURIComponent(
        repo,
      )}/pullrequests${path}?${query}${
        query ? '&' : ''
      }api-version=${AZURE_API_VERSION}`,
      {
        ...init,
        headers: {
          authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      },
    );
  }

  private webUrl(id: number) {
    return `${this.options.projectUrl}/_git/${this.options.repo}/pullrequest/${id}`;
  }

  async findOpen(branch: string) {
    const list = await check(
      await this.request(
        '',
        `searchCriteria.sourceRefName=${encodeURIComponent(
          `refs/heads/${branch}`,
        )}&searchCriteria.status=active`,
      ),
      'Listing the pull requests on Azure Repos',
    );
    const pr = list?.value?.[0];
    return pr
      ? { number: pr.pullRequestId, url: this.webUrl(pr.pullRequestId) }
      : undefined;
  }

  async create(pr: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }) {
    const created = await check(
      await this.request('', '', {
        method: 'POST',
        body: JSON.stringify({
          sourceRefName: `refs/heads/${pr.branch}`,
          targetRefName: `refs/heads/${pr.base}`,
          title: pr.title,
          description: azureDescription(pr.body),
        }),
      }),
      'Opening the pull request on Azure Repos',
    );
    return {
      number: created.pullRequestId,
      url: this.webUrl(created.pullRequestId),
    };
  }

  async update(number: number, pr: { title: string; body: string }) {
    const updated = await check(
      await this.request(`/${number}`, '', {
        method: 'PATCH',
        body: JSON.stringify({
          title: pr.title,
          description: azureDescription(pr.body),
        }),
      }),
      `Updating pull request ${number} on Azure Repos`,
    );
    return {
      number: updated.pullRequestId,
      url: this.webUrl(updated.pullRequestId),
    };
  }
}

/** Azure Repos keeps at most 4000 characters of a pull request's description. */
export const AZURE_DESCRIPTION_LIMIT = 4000;

function azureDescription(body: string): string {
  if (body.length <= AZURE_DESCRIPTION_LIMIT) return body;
  const tail = '\n\n(cut: the full list is in the commit message)';
  return body.slice(0, AZURE_DESCRIPTION_LIMIT - tail.length) + tail;
}
