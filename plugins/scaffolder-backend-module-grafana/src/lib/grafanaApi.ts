/*
 * The few calls of Grafana's HTTP API the provisioning makes, over fetch with a service-account
 * token. Reference: https://grafana.com/docs/grafana/v11.0/developers/http_api/ (folder/,
 * dashboard/, alerting_provisioning/). Errors name the call and Grafana's message, never the token.
 */
import { ConflictError, NotAllowedError } from '@backstage/errors';

/** Where Grafana is and how the portal signs in to it. */
export interface GrafanaConnection {
  /** Base URL, without a trailing slash (e.g. `https://grafana.example.com`). */
  url: string;
  /** Service-account token with the Editor role (folders, dashboards, alert rules). */
  token: string;
  /** Uid of the Prometheus data source the alert rules query. */
  prometheusDatasourceUid: string;
  /** The portal's base URL (`app.baseUrl`), for absolute runbook links in the rules. */
  portalBaseUrl?: string;
}

/** Grafana's folder, as `GET /api/folders/:uid` answers. */
export interface GrafanaFolder {
  uid: string;
  title: string;
}

/** Grafana's dashboard, as `GET /api/dashboards/uid/:uid` answers. */
export interface GrafanaDashboardResponse {
  dashboard: Record<string, any>;
  meta: { folderUid?: string; provisioned?: boolean; [key: string]: unknown };
}

/** A thin client for the endpoints provisioning uses. */
export class GrafanaApi {
  private readonly url: string;
  private readonly token: string;

  constructor(connection: Pick<GrafanaConnection, 'url' | 'token'>) {
    this.url = connection.url.replace(/\/+$/, '');
    this.token = connection.token;
  }

  /** `GET /api/folders/:uid`; undefined on 404. */
  getFolder(uid: string): Promise<GrafanaFolder | undefined> {
    return this.get(`folders/${encodeURIComponent(uid)}`, `read folder ${uid}`);
  }

  /** `GET /api/folders`: the top-level folders, `{ uid, title }` each (up to 1000). */
  async listFolders(): Promise<GrafanaFolder[]> {
    return (await this.get('folders?limit=1000', 'list folders')) ?? [];
  }

  /**
   * `POST /api/folders` with `{ uid, title }`. A folder title taken below the same parent is a
   * ConflictError: Grafana answers `ErrFolderSameNameExists` with 409 (400 before Grafana 10),
   * "a folder with the same name already exists" (grafana/grafana `pkg/api/folder.go`).
   */
  async createFolder(folder: GrafanaFolder): Promise<void> {
    await this.send('POST', 'folders', folder, `create folder ${folder.uid}`);
  }

  /** `GET /api/search?type=dash-db&tag=…`: the dashboards carrying a tag, `{ uid, title }` each. */
  async searchDashboardsByTag(
    tag: string,
  ): Promise<Array<{ uid: string; title: string; folderUid?: string }>> {
    return (
      (await this.get(
        `search?type=dash-db&limit=5000&tag=${encodeURIComponent(tag)}`,
        `search dashboards tagged ${tag}`,
      )) ?? []
    );
  }

  /** `DELETE /api/dashboards/uid/:uid`. */
  async deleteDashboard(uid: string): Promise<void> {
    await this.send(
      'DELETE',
      `dashboards/uid/${encodeURIComponent(uid)}`,
      undefined,
      `delete dashboard ${uid}`,
    );
  }

  /** `GET /api/v1/provisioning/alert-rules`: every alert rule of the organisation. */
  async listAlertRules(): Promise<Array<Record<string, any>>> {
    return (
      (await this.get('v1/provisioning/alert-rules', 'list alert rules')) ?? []
    );
  }

  /** `DELETE /api/v1/provisioning/alert-rules/:uid`. */
  async deleteAlertRule(uid: string): Promise<void> {
    await this.send(
      'DELETE',
      `v1/provisioning/alert-rules/${encodeURIComponent(uid)}`,
      undefined,
      `delete alert rule ${uid}`,
    );
  }

  /** `GET /api/dashboards/uid/:uid`; undefined on 404. */
  getDashboard(uid: string): Promise<GrafanaDashboardResponse | undefined> {
    return this.get(
      `dashboards/uid/${encodeURIComponent(uid)}`,
      `read dashboard ${uid}`,
    );
  }

  /** `POST /api/dashboards/db`: creates or (with `overwrite`) replaces a dashboard. */
  async saveDashboard(body: {
    dashboard: Record<string, any>;
    folderUid: string;
    message: string;
    overwrite: boolean;
  }): Promise<void> {
    await this.send(
      'POST',
      'dashboards/db',
      body,
      `save dashboard ${body.dashboard.uid}`,
    );
  }

  /** `GET /api/v1/provisioning/alert-rules/:uid`; undefined on 404. */
  getAlertRule(uid: string): Promise<Record<string, any> | undefined> {
    return this.get(
      `v1/provisioning/alert-rules/${encodeURIComponent(uid)}`,
      `read alert rule ${uid}`,
    );
  }

  /** `POST /api/v1/provisioning/alert-rules`. */
  async createAlertRule(rule: Record<string, any>): Promise<void> {
    await this.send(
      'POST',
      'v1/provisioning/alert-rules',
      rule,
      `create alert rule ${rule.uid}`,
    );
  }

  /** `PUT /api/v1/provisioning/alert-rules/:uid`. */
  async updateAlertRule(rule: Record<string, any>): Promise<void> {
    await this.send(
      'PUT',
      `v1/provisioning/alert-rules/${encodeURIComponent(rule.uid)}`,
      rule,
      `update alert rule ${rule.uid}`,
    );
  }

  private async get<T>(path: string, what: string): Promise<T | undefined> {
    const res = await this.request('GET', path, undefined, what);
    if (res.status === 404) {
      return undefined;
    }
    await this.check(res, what);
    return (await res.json()) as T;
  }

  private async send(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    what: string,
  ): Promise<void> {
    const res = await this.request(method, path, body, what);
    await this.check(res, what);
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    what: string,
  ): Promise<Response> {
    try {
      return await fetch(`${this.url}/api/${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(
        `Grafana at ${this.url} cannot be reached to ${what}: ${
          (error as Error).message
        }`,
      );
    }
  }

  private async check(res: Response, what: string): Promise<void> {
    if (res.ok) {
      return;
    }
    let message = '';
    try {
      const body = (await res.json()) as { message?: string };
      message = body.message ?? '';
    } catch {
      // Not JSON: the status says enough.
    }
    const detail = `${res.status}${message ? ` ${message}` : ''}`;
    if (res.status === 401 || res.status === 403) {
      throw new NotAllowedError(
        `Grafana refused to ${what} (${detail}). The token in grafanaProvisioning.token must belong to a service account with the Editor role.`,
      );
    }
    if (res.status === 409 || /same name already exists/i.test(message)) {
      throw new ConflictError(`Grafana could not ${what}: ${detail}`);
    }
    throw new Error(`Grafana could not ${what}: ${detail}`);
  }
}
