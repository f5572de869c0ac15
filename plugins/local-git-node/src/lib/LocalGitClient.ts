import {
  ConflictError,
  InputError,
  NotAllowedError,
  ResponseError,
} from '@backstage/errors';
import type { LocalGitRepository } from '../server/localGitServer.ts';

/**
 * Calls the local git server's API as the portal (with its token): creates repositories and
 * looks them up. Every failure says what was wrong and what to do.
 *
 * @public
 */
export class LocalGitClient {
  private readonly baseUrl: string;
  private readonly token?: string;

  constructor(options: { baseUrl: string; token?: string }) {
    this.baseUrl = options.baseUrl;
    this.token = options.token;
  }

  /**
   * Creates an empty repository. A name that exists is refused (ConflictError, nothing is
   * changed), so a new service never lands in someone else's repository.
   */
  async createRepository(input: {
    name: string;
    description?: string;
  }): Promise<LocalGitRepository> {
    if (!this.token) {
      throw new NotAllowedError(
        'localGit.token is empty: the portal cannot create repositories on the local git server. Start the portal with ./scripts/start.sh, which sets LOCAL_GIT_TOKEN for the server and the portal',
      );
    }
    const res = await this.call('/api/repositories', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(input),
    });
    if (res.status === 201) {
      return (await res.json()) as LocalGitRepository;
    }
    const message = await this.messageOf(res);
    if (res.status === 409) throw new ConflictError(message);
    if (res.status === 400) throw new InputError(message);
    if (res.status === 401) {
      throw new NotAllowedError(
        `The local git server refused the portal's token (${message}): the portal and the server were started with different LOCAL_GIT_TOKEN values; restart both with ./scripts/start.sh`,
      );
    }
    throw await ResponseError.fromResponse(res);
  }

  /** The repository, or undefined when there is none of that name. */
  async getRepository(name: string): Promise<LocalGitRepository | undefined> {
    const res = await this.call(
      `/api/repositories/${encodeURIComponent(name)}`,
      {},
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as LocalGitRepository;
  }

  private async call(route: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${route}`, init);
    } catch (error) {
      throw new Error(
        `The local git server does not answer at ${this.baseUrl} (${
          (error as Error & { cause?: Error }).cause?.message ?? error
        }): ./scripts/start.sh starts it next to the portal`,
      );
    }
  }

  private async messageOf(res: Response): Promise<string> {
    const text = await res.text();
    try {
      return (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      return text;
    }
  }
}
