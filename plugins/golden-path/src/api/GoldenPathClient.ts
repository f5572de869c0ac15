import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { GoldenPathApi, GoldenPathReport } from './GoldenPathApi';

/**
 * Reads the checks from the golden-path backend. The request names the entity only; the
 * backend builds every query from the entity as the catalog holds it.
 *
 * @public
 */
export class GoldenPathClient implements GoldenPathApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getChecks(entityRef: string): Promise<GoldenPathReport> {
    return this.request(entityRef, 'GET');
  }

  checkNow(entityRef: string): Promise<GoldenPathReport> {
    return this.request(entityRef, 'POST');
  }

  private async request(
    entityRef: string,
    method: 'GET' | 'POST',
  ): Promise<GoldenPathReport> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const base = await this.discoveryApi.getBaseUrl('golden-path');
    const path = [kind, namespace, name].map(encodeURIComponent).join('/');
    const res = await this.fetchApi.fetch(`${base}/entities/${path}/checks`, {
      method,
    });
    await this.check(res);
    return (await res.json()) as GoldenPathReport;
  }

  private async check(res: Response): Promise<void> {
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
  }
}
