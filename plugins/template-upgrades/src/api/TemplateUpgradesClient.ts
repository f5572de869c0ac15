import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { TemplateUpgradesApi } from './TemplateUpgradesApi';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

/**
 * Talks to the template-upgrades backend. Requests name the service only; the backend reads
 * the entity, its record and its owners itself and decides who may upgrade it.
 *
 * @public
 */
export class TemplateUpgradesClient implements TemplateUpgradesApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listServices(
    options: { template?: string } = {},
  ): Promise<ServiceUpgradeStatus[]> {
    const query = options.template
      ? `?${new URLSearchParams({ template: options.template })}`
      : '';
    const res = await this.request(`/services${query}`);
    return ((await res.json()) as { items: ServiceUpgradeStatus[] }).items;
  }

  async getService(entityRef: string): Promise<ServiceUpgradeStatus> {
    const res = await this.request(servicePath(entityRef));
    return (await res.json()) as ServiceUpgradeStatus;
  }

  async upgrade(
    entityRef: string,
    options: { dryRun: boolean },
  ): Promise<UpgradeResult> {
    const res = await this.request(`${servicePath(entityRef)}/upgrade`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dryRun: options.dryRun }),
    });
    return (await res.json()) as UpgradeResult;
  }

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl('template-upgrades');
    const res = await this.fetchApi.fetch(`${base}${path}`, init);
    await this.check(res);
    return res;
  }

  private async check(res: Response): Promise<void> {
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
  }
}

/** `/services/:namespace/:kind/:name`, in the backend's order (namespace first). */
function servicePath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/services/${[namespace, kind.toLocaleLowerCase('en-US'), name]
    .map(encodeURIComponent)
    .join('/')}`;
}
