/*
 * AzureDevOpsStandIn: the REST calls the Azure pipeline actions make, answered from memory the way
 * Azure DevOps Services answers them. Every route is one row of ROUTES below, with the reference
 * page it follows, the api-versions it accepts and the permission it needs. Besides the shapes it
 * models the behaviour the actions depend on, each with its source:
 *
 * - api-versions are checked per route: a preview-only resource refuses a version without
 *   `-preview`, a released one refuses `-preview` (deactivated previews), and versions newer than
 *   the service are out of range;
 * - names (pipelines, folders, repositories, service connections, environments) match without
 *   regard to case;
 * - a request without a valid credential gets the 203 sign-in page, or a JSON 401 when it sends
 *   `X-TFS-FedAuthRedirect: Suppress`;
 * - each caller is an identity with roles: a project member (Contributors) or a Project
 *   Administrator, and Administrator or User roles on service connections and environments;
 * - checks configurations on service connections and environments, and `simulateRun`, which plays
 *   a run's stages against the pipeline permissions and branch-control checks;
 * - build definition tags (preview-only `7.1-preview.3`), added as a JSON list and kept once per
 *   name regardless of letter case (the case rule is the web UI's, not documented), which the portal
 *   marks its pipelines with.
 *
 * The actions' tests drive it through msw handlers (src/__testUtils__/msw.ts); the browser tests run
 * it as an HTTP server on loopback (startAzureDevOpsStandIn, started by e2e/serve.mjs). Node imports
 * this file directly (type stripping), so it uses erasable TypeScript syntax only: no enums, no
 * namespaces, no parameter properties, and nothing but `node:` imports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in answered, as the tests assert it. @public */
export interface RecordedRequest {
  method: string;
  /** Path below the host, e.g. `/contoso/dashboards/_apis/pipelines`. */
  path: string;
  /** Query parameters, `api-version` included. */
  query: Record<string, string>;
  body?: unknown;
  /** The identity the credential belongs to; absent when it was refused. */
  identity?: string;
}

/** A failure to answer instead of the normal response. @public */
export interface InjectedFailure {
  method: string;
  /** Matched against the path below `_apis/`. */
  path: RegExp;
  status: number;
  message: string;
  typeKey?: string;
  /** Response headers, e.g. `Retry-After` for a 429. */
  headers?: Record<string, string>;
  /** How many requests it answers before it goes away; every one when unset. */
  times?: number;
}

/**
 * Someone who calls the API with a token: a member of the project's Contributors group, or of its
 * Project Administrators group.
 * @public
 */
export interface StandInIdentity {
  /** As Azure DevOps shows it, e.g. `Portal service account`; role lists name it. */
  name: string;
  /** The PAT or Entra access token this identity's requests carry. */
  token: string;
  projectAdministrator?: boolean;
}

/**
 * Role members: identity names, or the groups `Contributors` (every project member) and
 * `Project Administrators`.
 * @public
 */
export type RoleMembers = string[];

/** @public */
export interface AzureDevOpsStandInOptions {
  /** Base URL the web links point at, e.g. `https://dev.azure.com`. */
  baseUrl: string;
  organization: string;
  project: string;
  /** Shorthand for one identity: a Project Administrator named `Portal service account`. */
  token?: string;
  identities?: StandInIdentity[];
  /** Azure Repos repositories of the project. */
  repositories?: string[];
  /** Service connections of the project: name, type and who holds which role on them. */
  serviceConnections?: {
    name: string;
    type: string;
    administrators?: RoleMembers;
    users?: RoleMembers;
  }[];
  /** Environments that exist already, with their administrators (nobody by default). */
  environments?: (string | { name: string; administrators?: RoleMembers })[];
  /**
   * Items per page of the paged lists (build definitions, environments, policy configurations);
   * all on one page when unset.
   */
  pageSize?: number;
}

interface Definition {
  id: number;
  name: string;
  path: string;
  repository: { id: string; name: string; type: string };
  process: { yamlFilename: string; type: number };
  createdBy: string;
  /** The definition's tags (Tags - Add Definition Tags), as stored. */
  tags: string[];
}

interface Permissions {
  resource: { type: string; id: string };
  pipelines: { id: number; authorized: boolean }[];
  allPipelines: { authorized: boolean } | null;
}

/** A check configuration as Check Configurations - Add stores it. @public */
export interface StandInCheck {
  id: number;
  type: { id: string; name?: string };
  settings: {
    displayName?: string;
    definitionRef?: { id: string; name?: string; version?: string };
    inputs?: Record<string, string>;
    [key: string]: unknown;
  };
  resource: { type: string; id: string; name?: string };
  timeout?: number;
  createdBy: string;
}

/** A run as the stand-in keeps it. @public */
export interface StandInRun {
  id: number;
  name: string;
  state: string;
  /** Set once the run completed: `succeeded`, `failed`, `canceled`. */
  result?: string;
  createdDate?: string;
  refName?: string;
  requestedBy?: string;
  /**
   * The run's timeline records (stages, jobs, tasks linked by `parentId`, with `result`, `log`
   * and `issues`), as Timeline - Get answers them; a test sets them when it completes a run.
   */
  timeline?: Record<string, unknown>[];
}

/** The stand-in's state; tests read it to see what was created. @public */
export interface AzureDevOpsStandInState {
  options: AzureDevOpsStandInOptions;
  identities: StandInIdentity[];
  requests: RecordedRequest[];
  failures: InjectedFailure[];
  repositories: { id: string; name: string }[];
  serviceConnections: {
    id: string;
    name: string;
    type: string;
    administrators: RoleMembers;
    users: RoleMembers;
  }[];
  environments: {
    id: number;
    name: string;
    description: string;
    administrators: RoleMembers;
  }[];
  definitions: Definition[];
  permissions: Map<string, Permissions>;
  checks: StandInCheck[];
  policies: {
    id: number;
    isEnabled: boolean;
    isBlocking: boolean;
    type: { id: string };
    settings: Record<string, unknown>;
    createdBy: string;
  }[];
  runs: Map<number, StandInRun[]>;
  nextId: number;
}

/** The identity the `token` shorthand stands for. @public */
export const PORTAL_SERVICE_ACCOUNT = 'Portal service account';

/** A fresh stand-in state. @public */
export function createAzureDevOpsState(
  options: AzureDevOpsStandInOptions,
): AzureDevOpsStandInState {
  let n = 0;
  const guid = (prefix: string) =>
    `${prefix}${String(++n).padStart(
      4,
      '0',
    )}-0000-4000-8000-000000000000`.slice(-36);
  return {
    options,
    identities: [
      ...(options.token
        ? [
            {
              name: PORTAL_SERVICE_ACCOUNT,
              token: options.token,
              projectAdministrator: true,
            },
          ]
        : []),
      ...(options.identities ?? []),
    ],
    requests: [],
    failures: [],
    repositories: (options.repositories ?? []).map(name => ({
      id: guid('aaaa'),
      name,
    })),
    serviceConnections: (options.serviceConnections ?? []).map(c => ({
      id: guid('eeee'),
      name: c.name,
      type: c.type,
      administrators: c.administrators ?? [],
      users: c.users ?? [],
    })),
    environments: (options.environments ?? []).map((e, i) => ({
      id: i + 1,
      name: typeof e === 'string' ? e : e.name,
      description: '',
      administrators: typeof e === 'string' ? [] : e.administrators ?? [],
    })),
    definitions: [],
    permissions: new Map(),
    checks: [],
    policies: [],
    runs: new Map(),
    nextId: 100,
  };
}

/** A response: status, body (JSON unless `contentType` says otherwise) and headers. @public */
export interface StandInResponse {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

const error = (status: number, message: string, typeKey: string) => ({
  status,
  body: {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.${typeKey}, Microsoft.TeamFoundation`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  },
});

const list = (value: unknown[]) => ({
  status: 200,
  body: { count: value.length, value },
});

/**
 * One page of a paged list: the 7.1 spec pages these lists with a `continuationToken` query
 * parameter and the `x-ms-continuationtoken` response header (e.g. Policy Configurations - Get).
 */
function paged(
  state: AzureDevOpsStandInState,
  query: Record<string, string>,
  items: unknown[],
): StandInResponse {
  const size = state.options.pageSize ?? items.length;
  const start = Number(query.continuationToken ?? 0);
  const value = items.slice(start, start + size);
  const next = start + size;
  return {
    ...list(value),
    ...(next < items.length
      ? { headers: { 'x-ms-continuationtoken': String(next) } }
      : {}),
  };
}

const same = (a: string | undefined, b: string | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

function identityOf(
  state: AzureDevOpsStandInState,
  header?: string | null,
): StandInIdentity | undefined {
  return state.identities.find(
    i =>
      header === `Basic ${Buffer.from(`:${i.token}`).toString('base64')}` ||
      header === `Bearer ${i.token}`,
  );
}

function holds(identity: StandInIdentity, members: RoleMembers): boolean {
  return members.some(
    m =>
      m === identity.name ||
      m === 'Contributors' ||
      (m === 'Project Administrators' &&
        Boolean(identity.projectAdministrator)),
  );
}

/** What one request carries, for the route handlers. */
interface Call {
  state: AzureDevOpsStandInState;
  method: string;
  rest: string;
  match: RegExpMatchArray;
  query: Record<string, string>;
  body: Record<string, any>;
  identity: StandInIdentity;
  projectUrl: string;
}

/**
 * Whether the caller may do what a route does; a reason when not. Azure DevOps' exact 403 wording
 * for these is not published; the messages here name the permission the cited page requires.
 */
type Permission = (call: Call) => string | undefined;

// Creating and running pipelines is what Contributors do: "Contributors: Manage pipelines and
// builds" (learn.microsoft.com/azure/devops/pipelines/policies/permissions, default groups).
const member: Permission = () => undefined;

// "To manage security at the object level, have the Administrator role for the service connection"
// (same page, Service connection security); Project Administrators may manage them all. Environments:
// "The creator of an environment is granted the administrator role for that environment"; Project
// Administrators hold only Creator there (same page, environment roles). Pipeline permissions and
// checks of a resource are managed by its administrators
// (learn.microsoft.com/azure/devops/pipelines/library/add-resource-protection,
// learn.microsoft.com/azure/devops/pipelines/process/approvals).
function resourceAdministrator(
  state: AzureDevOpsStandInState,
  identity: StandInIdentity,
  type: string,
  id: string,
): string | undefined {
  if (type === 'endpoint') {
    const connection = state.serviceConnections.find(c => c.id === id);
    if (!connection) {
      return undefined; // answered as not found by the route
    }
    return identity.projectAdministrator ||
      holds(identity, connection.administrators)
      ? undefined
      : `${identity.name} needs the Administrator role on the service connection ${connection.name}.`;
  }
  if (type === 'environment') {
    const environment = state.environments.find(e => String(e.id) === id);
    if (!environment) {
      return undefined;
    }
    return holds(identity, environment.administrators)
      ? undefined
      : `${identity.name} needs the Administrator role on the environment ${environment.name}.`;
  }
  return undefined;
}

/** The api-versions a route accepts. */
type Version = { released: string } | { preview: string };

// Azure DevOps Services answers REST versions up to 7.2 (7.2 is itself in preview).
const NEWEST = [7, 2];

/**
 * Refuses an api-version as Azure DevOps does. Wording of the version messages: the WebApi
 * client's resource strings (`PreviewVersionNotSuppliedMessage`, `ApiVersionOutOfRange`,
 * `VersionNotSuppliedMessage`); a preview of a released resource is refused as the versioning policy
 * allows once a preview is deactivated ("requests that specify a -preview version get rejected",
 * learn.microsoft.com/azure/devops/integrate/concepts/rest-api-versioning), in the stand-in's words.
 */
function checkVersion(
  method: string,
  requested: string | undefined,
  accepted: Version,
): StandInResponse | undefined {
  if (!requested) {
    return error(
      400,
      `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
      'VssVersionNotSpecifiedException',
    );
  }
  const parsed = requested.match(/^(\d+)\.(\d+)(-preview(?:\.(\d+))?)?$/);
  if (!parsed) {
    return error(
      400,
      `The api-version '${requested}' is not a valid version.`,
      'VssInvalidApiVersionException',
    );
  }
  const [major, minor] = [Number(parsed[1]), Number(parsed[2])];
  if (major > NEWEST[0] || (major === NEWEST[0] && minor > NEWEST[1])) {
    return error(
      400,
      `The requested REST API version of ${major}.${minor} is out of range for this server. The latest REST API version this server supports is ${NEWEST.join(
        '.',
      )}.`,
      'VssVersionOutOfRangeException',
    );
  }
  if ('preview' in accepted) {
    if (!parsed[3]) {
      return error(
        400,
        `The requested version "${requested}" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "${requested}-preview"`,
        'VssInvalidPreviewVersionException',
      );
    }
    const newest = Number(accepted.preview.split('.').pop());
    if (parsed[4] !== undefined && Number(parsed[4]) > newest) {
      return error(
        400,
        `The requested resource version ${parsed[4]} of api-version "${requested}" is out of range: the latest resource version of this route is ${newest} ("${accepted.preview}").`,
        'VssVersionOutOfRangeException',
      );
    }
    return undefined;
  }
  if (parsed[3]) {
    return error(
      400,
      `The preview version "${requested}" of this resource has been deactivated: it was released as "${accepted.released}". Use api-version=${accepted.released}.`,
      'VssInvalidPreviewVersionException',
    );
  }
  return undefined;
}

interface Route {
  method: string;
  /** Matched against the path below `{organization}/{project}/_apis/`. */
  path: RegExp;
  version: Version;
  /** The Azure DevOps REST reference page the route follows. */
  reference: string;
  permission: Permission;
  handle(call: Call): StandInResponse;
}

const REST = 'https://learn.microsoft.com/en-us/rest/api/azure/devops';
const V = '?view=azure-devops-rest-7.1';

/** The policy type id of "Build" (build validation). */
const BUILD_POLICY = '0609b952-1397-4640-95ec-e00a01b2c241';
/** Branch control: a Task Check whose definition is `evaluatebranchProtection`. */
const BRANCH_CONTROL_DEFINITION = '86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b';

function shapeRun(projectUrl: string, pipelineId: number, r: StandInRun) {
  const { requestedBy: _r, refName: _b, timeline: _t, ...run } = r;
  return {
    ...run,
    pipeline: { id: pipelineId },
    url: `${projectUrl}/_apis/pipelines/${pipelineId}/runs/${r.id}`,
    _links: { web: { href: `${projectUrl}/_build/results?buildId=${r.id}` } },
  };
}

function shapeCheck(projectUrl: string, c: StandInCheck, settings: boolean) {
  const { createdBy, settings: s, ...rest } = c;
  return {
    ...rest,
    ...(settings ? { settings: s } : {}),
    createdBy: { displayName: createdBy },
    url: `${projectUrl}/_apis/pipelines/checks/configurations/${c.id}`,
  };
}

function repositoryNotFound(name: string) {
  return error(
    404,
    `TF401019: The Git repository with name or identifier ${name} does not exist or you do not have permissions for the operation you are attempting.`,
    'GitRepositoryNotFoundException',
  );
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^build\/definitions$/,
    version: { released: '7.1' },
    reference: `${REST}/build/definitions/list${V}`,
    permission: member,
    // `name` "filters to definitions whose names match this pattern", `path` to those "under this
    // folder"; Azure DevOps compares names without regard to case.
    handle: ({ state, query, projectUrl }) =>
      paged(
        state,
        query,
        state.definitions
          .filter(d => !query.name || same(d.name, query.name))
          .filter(d => !query.path || same(d.path, query.path))
          .map(({ createdBy: _c, tags: _t, ...d }) => ({
            ...d,
            _links: {
              web: {
                href: `${projectUrl}/_build/definition?definitionId=${d.id}`,
              },
            },
          })),
      ),
  },
  {
    method: 'GET',
    path: /^build\/definitions\/(\d+)\/tags$/,
    // Definition tags exist only as previews in 7.1 (`build/7.1/build.json`).
    version: { preview: '7.1-preview.3' },
    reference: `${REST}/build/tags/get-definition-tags${V}`,
    permission: member,
    handle: ({ state, match }) => {
      const definition = state.definitions.find(d => d.id === Number(match[1]));
      return definition
        ? list(definition.tags)
        : definitionNotFound(Number(match[1]));
    },
  },
  {
    method: 'POST',
    path: /^build\/definitions\/(\d+)\/tags$/,
    version: { preview: '7.1-preview.3' },
    reference: `${REST}/build/tags/add-definition-tags${V}`,
    // Tagging edits the definition: "Edit build pipeline", which Contributors hold by default
    // (learn.microsoft.com/azure/devops/pipelines/policies/permissions, pipeline permissions).
    permission: member,
    // The body is the list of tags to add; the answer is every tag the definition has now. Tags
    // already there (compared without regard to case, as the web UI does; not documented) are not
    // added twice.
    handle: ({ state, match, body }) => {
      const definition = state.definitions.find(d => d.id === Number(match[1]));
      if (!definition) {
        return definitionNotFound(Number(match[1]));
      }
      const tags: unknown = body;
      if (!Array.isArray(tags) || tags.some(t => typeof t !== 'string')) {
        return error(
          400,
          'Value cannot be null. Parameter name: tags',
          'ArgumentNullException',
        );
      }
      for (const tag of tags as string[]) {
        const trimmed = tag.trim();
        if (trimmed && !definition.tags.some(t => same(t, trimmed))) {
          definition.tags.push(trimmed);
        }
      }
      return list(definition.tags);
    },
  },
  {
    method: 'GET',
    path: /^git\/repositories\/([^/]+)$/,
    version: { released: '7.1' },
    reference: `${REST}/git/repositories/get-repository${V}`,
    permission: member,
    handle: ({ state, match }) => {
      const repo = state.repositories.find(
        r => same(r.name, match[1]) || r.id === match[1],
      );
      if (!repo) {
        return repositoryNotFound(match[1]);
      }
      return {
        status: 200,
        body: {
          ...repo,
          project: { name: state.options.project },
          defaultBranch: 'refs/heads/main',
        },
      };
    },
  },
  {
    method: 'POST',
    path: /^pipelines$/,
    version: { released: '7.1' },
    reference: `${REST}/pipelines/pipelines/create${V}`,
    // Creating a pipeline that reads through a service connection needs the User role on it
    // ("User: can use the endpoint when authoring pipelines", service connection security).
    permission: ({ state, body, identity }) => {
      const config = body.configuration ?? {};
      if (config.repository?.type !== 'gitHub') {
        return undefined;
      }
      const connection = state.serviceConnections.find(
        c => c.id === config.repository.connection?.id,
      );
      if (
        !connection ||
        identity.projectAdministrator ||
        holds(identity, [...connection.users, ...connection.administrators])
      ) {
        return undefined;
      }
      return `${identity.name} needs the User role on the service connection ${connection.name} to create a pipeline that reads through it.`;
    },
    handle: ({ state, body, identity, projectUrl }) => {
      const folder = String(body.folder ?? '\\');
      const config = body.configuration ?? {};
      if (
        state.definitions.some(
          d => same(d.name, body.name) && same(d.path, folder),
        )
      ) {
        // The Pipelines contract's exception (decompiled PipelineExistsException); status unknown.
        return error(
          409,
          `The pipeline name ${body.name} is already in use in folder ${folder}.`,
          'PipelineExistsException',
        );
      }
      let repository: Definition['repository'];
      if (config.repository?.type === 'azureReposGit') {
        const repo = state.repositories.find(
          r => r.id === config.repository.id,
        );
        if (!repo) {
          return repositoryNotFound(config.repository.id);
        }
        repository = { id: repo.id, name: repo.name, type: 'TfsGit' };
      } else if (config.repository?.type === 'gitHub') {
        const connection = state.serviceConnections.find(
          c => c.id === config.repository.connection?.id,
        );
        if (!connection || !same(connection.type, 'github')) {
          return error(
            400,
            'A service connection of type GitHub is required for a GitHub repository.',
            'ArgumentException',
          );
        }
        repository = {
          id: config.repository.fullName,
          name: config.repository.fullName,
          type: 'GitHub',
        };
      } else {
        return error(
          400,
          'Value cannot be null. Parameter name: configuration.repository',
          'ArgumentNullException',
        );
      }
      const id = ++state.nextId;
      state.definitions.push({
        id,
        name: String(body.name),
        path: folder,
        repository,
        process: { yamlFilename: String(config.path), type: 2 },
        createdBy: identity.name,
        tags: [],
      });
      state.runs.set(id, []);
      return {
        status: 200,
        body: {
          id,
          revision: 1,
          name: body.name,
          folder,
          url: `${projectUrl}/_apis/pipelines/${id}?revision=1`,
          _links: {
            self: { href: `${projectUrl}/_apis/pipelines/${id}?revision=1` },
            web: {
              href: `${projectUrl}/_build/definition?definitionId=${id}`,
            },
          },
          configuration: {
            type: 'yaml',
            path: config.path,
            repository: config.repository,
          },
        },
      };
    },
  },
  {
    method: 'GET',
    path: /^serviceendpoint\/endpoints$/,
    version: { released: '7.1' },
    reference: `${REST}/serviceendpoint/endpoints/get-service-endpoints-by-names${V}`,
    permission: member,
    handle: ({ state, query }) => {
      const names = (query.endpointNames ?? '').toLowerCase().split(',');
      return list(
        state.serviceConnections
          .filter(c => names.includes(c.name.toLowerCase()))
          .map(({ administrators: _a, users: _u, ...c }) => ({
            ...c,
            isReady: true,
            owner: 'Library',
          })),
      );
    },
  },
  {
    method: 'GET',
    path: /^distributedtask\/environments$/,
    version: { released: '7.1' },
    reference: `${REST}/distributedtask/environments/list${V}`,
    permission: member,
    handle: ({ state, query }) =>
      paged(
        state,
        query,
        state.environments
          .filter(e => !query.name || same(e.name, query.name))
          .map(({ administrators: _a, ...e }) => e),
      ),
  },
  {
    method: 'POST',
    path: /^distributedtask\/environments$/,
    version: { released: '7.1' },
    reference: `${REST}/distributedtask/environments/add${V}`,
    // Contributors hold the Creator role; the creator becomes the environment's Administrator.
    permission: member,
    handle: ({ state, body, identity }) => {
      if (state.environments.some(e => same(e.name, String(body.name)))) {
        return error(
          409,
          `Environment ${body.name} already exists in current project.`,
          'EnvironmentExistsException',
        );
      }
      const environment = {
        id: state.environments.length + 1,
        name: String(body.name),
        description: String(body.description ?? ''),
        administrators: [identity.name],
      };
      state.environments.push(environment);
      const { administrators: _a, ...shaped } = environment;
      return {
        status: 200,
        body: { ...shaped, project: { name: state.options.project } },
      };
    },
  },
  {
    method: 'GET',
    path: /^pipelines\/pipelinepermissions\/([^/]+)\/([^/]+)$/,
    version: { preview: '7.1-preview.1' },
    reference: `${REST}/approvalsandchecks/pipeline-permissions/get${V}`,
    permission: member,
    handle: ({ state, match }) => ({
      status: 200,
      body: state.permissions.get(`${match[1]}/${match[2]}`) ?? {
        resource: { type: match[1], id: match[2] },
        pipelines: [],
        allPipelines: null,
      },
    }),
  },
  {
    method: 'PATCH',
    path: /^pipelines\/pipelinepermissions\/([^/]+)\/([^/]+)$/,
    version: { preview: '7.1-preview.1' },
    reference: `${REST}/approvalsandchecks/pipeline-permissions/update-pipeline-permisions-for-resource${V}`,
    permission: ({ state, match, identity }) =>
      resourceAdministrator(state, identity, match[1], match[2]),
    handle: ({ state, match, body }) => {
      const key = `${match[1]}/${match[2]}`;
      const current: Permissions = state.permissions.get(key) ?? {
        resource: { type: match[1], id: match[2] },
        pipelines: [],
        allPipelines: null,
      };
      for (const p of (body.pipelines ?? []) as {
        id: number;
        authorized: boolean;
      }[]) {
        current.pipelines = current.pipelines.filter(x => x.id !== p.id);
        current.pipelines.push({ id: p.id, authorized: p.authorized });
      }
      state.permissions.set(key, current);
      return { status: 200, body: current };
    },
  },
  {
    method: 'GET',
    path: /^pipelines\/checks\/configurations$/,
    version: { preview: '7.1-preview.1' },
    reference: `${REST}/approvalsandchecks/check-configurations/list${V}`,
    permission: member,
    // Settings come only with `$expand=settings` (the spec's CheckConfigurationExpandParameter).
    handle: ({ state, query, projectUrl }) =>
      list(
        state.checks
          .filter(
            c =>
              (!query.resourceType ||
                same(c.resource.type, query.resourceType)) &&
              (!query.resourceId || c.resource.id === query.resourceId),
          )
          .map(c => shapeCheck(projectUrl, c, query.$expand === 'settings')),
      ),
  },
  {
    method: 'POST',
    path: /^pipelines\/checks\/configurations$/,
    version: { preview: '7.1-preview.1' },
    reference: `${REST}/approvalsandchecks/check-configurations/add${V}`,
    permission: ({ state, body, identity }) =>
      resourceAdministrator(
        state,
        identity,
        String(body.resource?.type),
        String(body.resource?.id),
      ),
    handle: ({ state, body, identity, projectUrl }) => {
      const { type, id } = body.resource ?? {};
      const exists =
        (type === 'endpoint' &&
          state.serviceConnections.some(c => c.id === id)) ||
        (type === 'environment' &&
          state.environments.some(e => String(e.id) === String(id)));
      if (!exists) {
        return error(
          404,
          `Resource of type ${type} with id ${id} does not exist or you do not have permission to access it.`,
          'ResourceNotFoundException',
        );
      }
      if (!body.type?.id || !body.settings) {
        return error(
          400,
          'Value cannot be null. Parameter name: configuration.type',
          'ArgumentNullException',
        );
      }
      const check: StandInCheck = {
        id: ++state.nextId,
        type: body.type,
        settings: body.settings,
        resource: { type, id: String(id), name: body.resource.name },
        timeout: body.timeout,
        createdBy: identity.name,
      };
      state.checks.push(check);
      return { status: 200, body: shapeCheck(projectUrl, check, true) };
    },
  },
  {
    method: 'GET',
    path: /^git\/policy\/configurations$/,
    version: { released: '7.1' },
    reference: `${REST}/git/policy-configurations/get${V}`,
    permission: member,
    handle: ({ state, query }) =>
      paged(
        state,
        query,
        state.policies
          .filter(p => {
            const scope = (
              p.settings.scope as { repositoryId: string; refName: string }[]
            )[0];
            return (
              (!query.policyType || p.type.id === query.policyType) &&
              (!query.repositoryId ||
                scope.repositoryId === query.repositoryId) &&
              (!query.refName || scope.refName === query.refName)
            );
          })
          .map(({ createdBy: _c, ...p }) => p),
      ),
  },
  {
    method: 'POST',
    path: /^policy\/configurations$/,
    version: { released: '7.1' },
    reference: `${REST}/policy/configurations/create${V}`,
    // "Edit policies" on the repository: Project Administrators hold it, Contributors do not
    // (learn.microsoft.com/azure/devops/repos/git/branch-policies, prerequisites).
    permission: ({ identity }) =>
      identity.projectAdministrator
        ? undefined
        : `TF401027: You need the Git 'EditPolicies' permission to perform this action. Details: identity '${identity.name}', scope 'repository'.`,
    handle: ({ state, body, identity }) => {
      if (body.type?.id !== BUILD_POLICY) {
        return error(
          400,
          `The policy type ${body.type?.id} is not known.`,
          'PolicyTypeNotFoundException',
        );
      }
      const policy = {
        id: ++state.nextId,
        isEnabled: Boolean(body.isEnabled),
        isBlocking: Boolean(body.isBlocking),
        type: body.type,
        settings: body.settings,
        createdBy: identity.name,
      };
      state.policies.push(policy);
      const { createdBy: _c, ...shaped } = policy;
      return { status: 200, body: shaped };
    },
  },
  {
    method: 'GET',
    path: /^build\/builds$/,
    version: { released: '7.1' },
    reference: `${REST}/build/builds/list${V}`,
    permission: member,
    // `definitions` (comma-separated ids), `$top` and `queryOrder` as the reference lists them.
    handle: ({ state, query, projectUrl }) => {
      const ids = (query.definitions ?? '')
        .split(',')
        .filter(Boolean)
        .map(Number);
      const builds = state.definitions
        .filter(d => ids.length === 0 || ids.includes(d.id))
        .flatMap(d =>
          (state.runs.get(d.id) ?? []).map(r => ({
            id: r.id,
            buildNumber: r.name,
            status: r.state === 'completed' ? 'completed' : r.state,
            ...(r.result ? { result: r.result } : {}),
            queueTime: r.createdDate,
            sourceBranch: r.refName ?? 'refs/heads/main',
            definition: { id: d.id, name: d.name },
            _links: {
              web: { href: `${projectUrl}/_build/results?buildId=${r.id}` },
            },
          })),
        );
      const order = query.queryOrder ?? 'queueTimeDescending';
      builds.sort((a, b) =>
        order === 'queueTimeAscending'
          ? String(a.queueTime).localeCompare(String(b.queueTime)) ||
            a.id - b.id
          : String(b.queueTime).localeCompare(String(a.queueTime)) ||
            b.id - a.id,
      );
      const top = query.$top ? Number(query.$top) : builds.length;
      return list(builds.slice(0, top));
    },
  },
  {
    method: 'GET',
    path: /^pipelines\/(\d+)\/runs$/,
    version: { released: '7.1' },
    reference: `${REST}/pipelines/runs/list${V}`,
    permission: member,
    handle: ({ state, match, projectUrl }) => {
      const pipelineId = Number(match[1]);
      const runs = state.runs.get(pipelineId);
      if (!runs) {
        return pipelineNotFound(pipelineId);
      }
      // The reference documents no order; the stand-in answers oldest first, so a client that
      // relies on an order it did not ask for shows it.
      return list(runs.map(r => shapeRun(projectUrl, pipelineId, r)));
    },
  },
  {
    method: 'POST',
    path: /^pipelines\/(\d+)\/runs$/,
    version: { released: '7.1' },
    reference: `${REST}/pipelines/runs/run-pipeline${V}`,
    // "Queue builds": Contributors may (default groups, pipelines/policies/permissions).
    permission: member,
    handle: ({ state, match, body, identity, projectUrl }) => {
      const pipelineId = Number(match[1]);
      const runs = state.runs.get(pipelineId);
      if (!runs) {
        return pipelineNotFound(pipelineId);
      }
      const run: StandInRun = {
        id: ++state.nextId,
        name: `${state.nextId}`,
        state: 'inProgress',
        createdDate: new Date().toISOString(),
        refName: body.resources?.repositories?.self?.refName,
        requestedBy: identity.name,
      };
      runs.push(run);
      return { status: 200, body: shapeRun(projectUrl, pipelineId, run) };
    },
  },
  {
    method: 'GET',
    path: /^build\/builds\/(\d+)\/timeline$/,
    version: { released: '7.1' },
    reference: `${REST}/build/timeline/get${V}`,
    permission: member,
    handle: ({ state, match, projectUrl }) => {
      const buildId = Number(match[1]);
      const run = [...state.runs.values()].flat().find(r => r.id === buildId);
      if (!run) {
        // Builds of another project or deleted ones answer as not found.
        return error(
          404,
          `The requested build ${buildId} could not be found.`,
          'BuildNotFoundException',
        );
      }
      return {
        status: 200,
        body: {
          id: `${buildId}`,
          records: (run.timeline ?? []).map(r => ({
            ...r,
            ...(r.log
              ? {
                  log: {
                    ...(r.log as object),
                    url: `${projectUrl}/_apis/build/builds/${buildId}/logs/${
                      (r.log as { id: number }).id
                    }`,
                  },
                }
              : {}),
          })),
          url: `${projectUrl}/_apis/build/builds/${buildId}/Timeline`,
        },
      };
    },
  },
];

function definitionNotFound(definitionId: number) {
  return error(
    404,
    `The requested build definition ${definitionId} could not be found.`,
    'DefinitionNotFoundException',
  );
}

function pipelineNotFound(pipelineId: number) {
  return error(
    404,
    `Pipeline with id ${pipelineId} does not exist or you do not have permission to access it.`,
    'PipelineNotFoundException',
  );
}

// What Azure DevOps Services answers a request whose credential it does not accept: its sign-in
// page with status 203, unless the client asks it not to redirect (`X-TFS-FedAuthRedirect:
// Suppress`), then a JSON 401 (microsoft/azure-devops-auth-samples#52, MicrosoftDocs/vsts-rest-api-specs#97).
const SIGN_IN_PAGE =
  '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in to your account</body></html>';

/**
 * Answers one request as Azure DevOps would.
 * @public
 */
export function handleAzureDevOpsRequest(
  state: AzureDevOpsStandInState,
  req: {
    method: string;
    url: URL;
    authorization?: string | null;
    /** The `X-TFS-FedAuthRedirect` header. */
    fedAuthRedirect?: string | null;
    body?: unknown;
  },
): StandInResponse {
  const { organization, project, baseUrl } = state.options;
  const query = Object.fromEntries(req.url.searchParams);
  const identity = identityOf(state, req.authorization);
  state.requests.push({
    method: req.method,
    path: decodeURIComponent(req.url.pathname),
    query,
    ...(req.body === undefined ? {} : { body: req.body }),
    ...(identity ? { identity: identity.name } : {}),
  });
  if (!identity) {
    if (same(req.fedAuthRedirect ?? '', 'suppress')) {
      return error(
        401,
        'TF400813: The user is not authorized to access this resource.',
        'UnauthorizedRequestException',
      );
    }
    return { status: 203, body: SIGN_IN_PAGE, contentType: 'text/html' };
  }
  const parts = req.url.pathname.split('/').map(decodeURIComponent);
  // ['', org, project, '_apis', ...rest]; organization and project names are case-insensitive.
  if (!same(parts[1], organization)) {
    return error(
      404,
      `VS800075: The project with id 'vstfs:///Classification/TeamProject/${parts[2]}' does not exist, or you do not have permission to access it.`,
      'ProjectDoesNotExistException',
    );
  }
  if (!same(parts[2], project) || parts[3] !== '_apis') {
    return error(
      404,
      `TF200016: The following project does not exist: ${parts[2]}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
      'ProjectDoesNotExistWithNameException',
    );
  }
  const rest = parts.slice(4).join('/');
  const failure = state.failures.find(
    f => f.method === req.method && f.path.test(rest),
  );
  if (failure) {
    if (failure.times !== undefined && --failure.times <= 0) {
      state.failures.splice(state.failures.indexOf(failure), 1);
    }
    return {
      ...error(
        failure.status,
        failure.message,
        failure.typeKey ?? 'VssServiceException',
      ),
      headers: failure.headers,
    };
  }
  for (const route of ROUTES) {
    const match = route.method === req.method && rest.match(route.path);
    if (!match) {
      continue;
    }
    const refused = checkVersion(
      req.method,
      query['api-version'],
      route.version,
    );
    if (refused) {
      return refused;
    }
    const call: Call = {
      state,
      method: req.method,
      rest,
      match,
      query,
      body: (req.body ?? {}) as Record<string, any>,
      identity,
      projectUrl: `${baseUrl}/${organization}/${project}`,
    };
    const denied = route.permission(call);
    if (denied) {
      return error(403, denied, 'AccessCheckException');
    }
    return route.handle(call);
  }
  return error(
    404,
    `The stand-in has no route for ${req.method} ${rest}.`,
    'RouteNotFoundException',
  );
}

/** A stage of a run as `simulateRun` plays it: the protected resources its jobs use. @public */
export interface SimulatedStage {
  name: string;
  /** Service connections (`endpoint`) and environments, by name. */
  resources: { type: 'endpoint' | 'environment'; name: string }[];
  /** False when the stage's condition is false for this run: it is skipped, no check evaluated. */
  runs?: boolean;
}

/** How each stage of a simulated run ended. @public */
export interface SimulatedRun {
  result: 'succeeded' | 'failed';
  stages: {
    name: string;
    result: 'succeeded' | 'failed' | 'skipped';
    messages: string[];
  }[];
}

function branchMatches(pattern: string, branch: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(branch);
}

/**
 * Plays a run of a pipeline on `sourceBranch` (e.g. `refs/pull/7/merge` for a pull request) stage by
 * stage, as Azure Pipelines does before a stage starts: each protected resource the stage uses must
 * be authorized for the pipeline, and every check on it must pass; "Before the execution of a stage
 * can begin, all checks on all the resources used in that stage must be satisfied", checks are not
 * in the YAML a run brings, and their "evaluation starts once the stage conditions are satisfied"
 * (learn.microsoft.com/azure/devops/pipelines/process/approvals). A branch-control check passes when
 * the run's branch matches one of its comma-separated `allowedBranches` (same page, Branch control).
 * A failed stage fails the run; the stages after it do not start.
 * @public
 */
export function simulateRun(
  state: AzureDevOpsStandInState,
  run: { pipelineId: number; sourceBranch: string; stages: SimulatedStage[] },
): SimulatedRun {
  const stages: SimulatedRun['stages'] = [];
  let failed = false;
  for (const stage of run.stages) {
    if (failed || stage.runs === false) {
      stages.push({ name: stage.name, result: 'skipped', messages: [] });
      continue;
    }
    const messages: string[] = [];
    for (const use of stage.resources) {
      const resource =
        use.type === 'endpoint'
          ? state.serviceConnections.find(c => same(c.name, use.name))
          : state.environments.find(e => same(e.name, use.name));
      const label = `${
        use.type === 'endpoint' ? 'service connection' : 'environment'
      } '${use.name}'`;
      if (!resource) {
        messages.push(`The pipeline uses the ${label}, which does not exist.`);
        continue;
      }
      const permissions = state.permissions.get(
        `${use.type}/${String(resource.id)}`,
      );
      if (
        !permissions?.allPipelines?.authorized &&
        !permissions?.pipelines.some(
          p => p.id === run.pipelineId && p.authorized,
        )
      ) {
        messages.push(
          `The pipeline is not authorized to use the ${label}; it waits for permission.`,
        );
      }
      for (const check of state.checks.filter(
        c =>
          same(c.resource.type, use.type) &&
          c.resource.id === String(resource.id),
      )) {
        if (
          !same(check.settings.definitionRef?.id, BRANCH_CONTROL_DEFINITION)
        ) {
          continue;
        }
        const allowed = (check.settings.inputs?.allowedBranches ?? '')
          .split(',')
          .map(b => b.trim())
          .filter(Boolean);
        if (!allowed.some(b => branchMatches(b, run.sourceBranch))) {
          messages.push(
            `Check '${check.settings.displayName}' on the ${label} failed: ${
              run.sourceBranch
            } is not one of the allowed branches (${allowed.join(', ')}).`,
          );
        }
      }
    }
    failed = messages.length > 0;
    stages.push({
      name: stage.name,
      result: failed ? 'failed' : 'succeeded',
      messages,
    });
  }
  return { result: failed ? 'failed' : 'succeeded', stages };
}

/** A running stand-in. @public */
export interface AzureDevOpsStandIn {
  /** Base URL, e.g. `http://127.0.0.1:7120`. */
  url: string;
  state: AzureDevOpsStandInState;
  stop(): Promise<void>;
}

/**
 * Serves the stand-in on 127.0.0.1; the web links it returns point at its own URL.
 * @public
 */
export async function startAzureDevOpsStandIn(
  options: Omit<AzureDevOpsStandInOptions, 'baseUrl'> & { port?: number },
): Promise<AzureDevOpsStandIn> {
  // The web links need the port, known once listening; the state is made first and told then.
  const state = createAzureDevOpsState({ ...options, baseUrl: '' });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    // What the stand-in was asked, for the browser tests to assert.
    if (req.url === '/_stand-in/requests') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(state.requests));
      return;
    }
    const response = handleAzureDevOpsRequest(state, {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      authorization: req.headers.authorization,
      fedAuthRedirect: req.headers['x-tfs-fedauthredirect'] as
        | string
        | undefined,
      body: text ? JSON.parse(text) : undefined,
    });
    res.writeHead(response.status, {
      'Content-Type': response.contentType ?? 'application/json; charset=utf-8',
      ...response.headers,
    });
    let body = '';
    if (typeof response.body === 'string') {
      body = response.body;
    } else if (response.body !== undefined) {
      body = JSON.stringify(response.body);
    }
    res.end(body);
  });
  await new Promise<void>(resolve =>
    server.listen(options.port ?? 0, '127.0.0.1', resolve),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.options.baseUrl = url;
  return {
    url,
    state,
    stop: () =>
      new Promise<void>((resolve, reject) =>
        server.close(err => (err ? reject(err) : resolve())),
      ),
  };
}
