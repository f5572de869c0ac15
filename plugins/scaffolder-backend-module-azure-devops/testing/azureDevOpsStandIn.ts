/*
 * An Azure DevOps stand-in: the REST calls the Azure pipeline actions make, answered from memory
 * in the shapes of Microsoft's REST reference (api-version 7.1), one page cited per route. The
 * actions' tests drive it through msw handlers (src/__testUtils__/msw.ts); the browser tests run it
 * as an HTTP server on loopback (startAzureDevOpsStandIn, started by e2e/serve.mjs).
 *
 * Node imports this file directly (type stripping), so it uses erasable TypeScript syntax only:
 * no enums, no namespaces, no parameter properties, and nothing but `node:` imports.
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
}

/** A failure to answer instead of the normal response. @public */
export interface InjectedFailure {
  method: string;
  /** Matched against the path below `_apis/`. */
  path: RegExp;
  status: number;
  message: string;
  typeKey?: string;
}

/** @public */
export interface AzureDevOpsStandInOptions {
  /** Base URL the web links point at, e.g. `https://dev.azure.com`. */
  baseUrl: string;
  organization: string;
  project: string;
  /** The PAT a request must carry (as Basic with an empty user, or as Bearer). */
  token: string;
  /** Azure Repos repositories of the project. */
  repositories?: string[];
  /** Service connections of the project: name and type. */
  serviceConnections?: { name: string; type: string }[];
  /** Environments that exist already. */
  environments?: string[];
}

interface Definition {
  id: number;
  name: string;
  path: string;
  repository: { id: string; name: string; type: string };
  process: { yamlFilename: string; type: number };
}

interface Permissions {
  resource: { type: string; id: string };
  pipelines: { id: number; authorized: boolean }[];
  allPipelines: { authorized: boolean } | null;
}

/** The stand-in's state; tests read it to see what was created. @public */
export interface AzureDevOpsStandInState {
  options: AzureDevOpsStandInOptions;
  requests: RecordedRequest[];
  failures: InjectedFailure[];
  repositories: { id: string; name: string }[];
  serviceConnections: { id: string; name: string; type: string }[];
  environments: { id: number; name: string; description: string }[];
  definitions: Definition[];
  permissions: Map<string, Permissions>;
  policies: {
    id: number;
    isEnabled: boolean;
    isBlocking: boolean;
    type: { id: string };
    settings: Record<string, unknown>;
  }[];
  runs: Map<
    number,
    { id: number; name: string; state: string; createdDate?: string }[]
  >;
  nextId: number;
}

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
    requests: [],
    failures: [],
    repositories: (options.repositories ?? []).map(name => ({
      id: guid('aaaa'),
      name,
    })),
    serviceConnections: (options.serviceConnections ?? []).map(c => ({
      id: guid('eeee'),
      ...c,
    })),
    environments: (options.environments ?? []).map((name, i) => ({
      id: i + 1,
      name,
      description: '',
    })),
    definitions: [],
    permissions: new Map(),
    policies: [],
    runs: new Map(),
    nextId: 100,
  };
}

/** A response: status and JSON body. @public */
export interface StandInResponse {
  status: number;
  body?: unknown;
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

function authorized(state: AzureDevOpsStandInState, header?: string | null) {
  const { token } = state.options;
  return (
    header === `Basic ${Buffer.from(`:${token}`).toString('base64')}` ||
    header === `Bearer ${token}`
  );
}

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
    body?: unknown;
  },
): StandInResponse {
  const { organization, project, baseUrl } = state.options;
  const query = Object.fromEntries(req.url.searchParams);
  state.requests.push({
    method: req.method,
    path: decodeURIComponent(req.url.pathname),
    query,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
  if (!authorized(state, req.authorization)) {
    // What Azure DevOps Services answers an unknown or expired PAT sent with Accept: JSON.
    return error(
      401,
      'TF400813: The user is not authorized to access this resource.',
      'UnauthorizedRequestException',
    );
  }
  const parts = req.url.pathname.split('/').map(decodeURIComponent);
  // ['', org, project, '_apis', ...rest]
  if (parts[1] !== organization) {
    return error(
      404,
      `VS800075: The project with id 'vstfs:///Classification/TeamProject/${parts[2]}' does not exist, or you do not have permission to access it.`,
      'ProjectDoesNotExistException',
    );
  }
  if (parts[2] !== project || parts[3] !== '_apis') {
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
    return error(
      failure.status,
      failure.message,
      failure.typeKey ?? 'VssServiceException',
    );
  }
  if (!query['api-version']) {
    return error(
      400,
      `No api-version was supplied for the "${req.method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
      'VssVersionNotSpecifiedException',
    );
  }
  const projectUrl = `${baseUrl}/${organization}/${project}`;
  const body = (req.body ?? {}) as Record<string, any>;
  const repoMatch = rest.match(/^git\/repositories\/([^/]+)$/);
  const permissionsMatch = rest.match(
    /^pipelines\/pipelinepermissions\/([^/]+)\/([^/]+)$/,
  );
  const runsMatch = rest.match(/^pipelines\/(\d+)\/runs$/);

  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/definitions/list?view=azure-devops-rest-7.1
  if (req.method === 'GET' && rest === 'build/definitions') {
    return list(
      state.definitions
        .filter(d => !query.name || d.name === query.name)
        .filter(d => !query.path || d.path === query.path)
        .map(d => ({
          ...d,
          _links: {
            web: {
              href: `${projectUrl}/_build/definition?definitionId=${d.id}`,
            },
          },
        })),
    );
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/repositories/get-repository?view=azure-devops-rest-7.1
  if (req.method === 'GET' && repoMatch) {
    const match = repoMatch;
    const repo = state.repositories.find(
      r => r.name === match[1] || r.id === match[1],
    );
    if (!repo) {
      return error(
        404,
        `TF401019: The Git repository with name or identifier ${match[1]} does not exist or you do not have permissions for the operation you are attempting.`,
        'GitRepositoryNotFoundException',
      );
    }
    return {
      status: 200,
      body: {
        ...repo,
        project: { name: project },
        defaultBranch: 'refs/heads/main',
      },
    };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/pipelines/create?view=azure-devops-rest-7.1
  if (req.method === 'POST' && rest === 'pipelines') {
    const folder = String(body.folder ?? '\\');
    const config = body.configuration ?? {};
    if (
      state.definitions.some(d => d.name === body.name && d.path === folder)
    ) {
      return error(
        409,
        `The pipeline name ${body.name} is already in use in folder ${folder}.`,
        'DefinitionExistsException',
      );
    }
    let repository: Definition['repository'];
    if (config.repository?.type === 'azureReposGit') {
      const repo = state.repositories.find(r => r.id === config.repository.id);
      if (!repo) {
        return error(
          404,
          `TF401019: The Git repository with name or identifier ${config.repository.id} does not exist or you do not have permissions for the operation you are attempting.`,
          'GitRepositoryNotFoundException',
        );
      }
      repository = { id: repo.id, name: repo.name, type: 'TfsGit' };
    } else if (config.repository?.type === 'gitHub') {
      const connection = state.serviceConnections.find(
        c => c.id === config.repository.connection?.id,
      );
      if (!connection) {
        return error(
          400,
          'A service connection is required for a GitHub repository.',
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
          web: { href: `${projectUrl}/_build/definition?definitionId=${id}` },
        },
        configuration: {
          type: 'yaml',
          path: config.path,
          repository: config.repository,
        },
      },
    };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/serviceendpoint/endpoints/get-service-endpoints-by-names?view=azure-devops-rest-7.1
  if (req.method === 'GET' && rest === 'serviceendpoint/endpoints') {
    const names = (query.endpointNames ?? '').toLowerCase().split(',');
    return list(
      state.serviceConnections
        .filter(c => names.includes(c.name.toLowerCase()))
        .map(c => ({ ...c, isReady: true, owner: 'Library' })),
    );
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/distributedtask/environments/list?view=azure-devops-rest-7.1
  if (req.method === 'GET' && rest === 'distributedtask/environments') {
    return list(
      state.environments.filter(
        e => !query.name || e.name.toLowerCase() === query.name.toLowerCase(),
      ),
    );
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/distributedtask/environments/add?view=azure-devops-rest-7.1
  if (req.method === 'POST' && rest === 'distributedtask/environments') {
    if (
      state.environments.some(
        e => e.name.toLowerCase() === String(body.name).toLowerCase(),
      )
    ) {
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
    };
    state.environments.push(environment);
    return {
      status: 200,
      body: { ...environment, project: { name: project } },
    };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/pipeline-permissions/get?view=azure-devops-rest-7.1
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/pipeline-permissions/update-pipeline-permisions-for-resource?view=azure-devops-rest-7.1
  if (permissionsMatch) {
    const match = permissionsMatch;
    const key = `${match[1]}/${match[2]}`;
    const current: Permissions = state.permissions.get(key) ?? {
      resource: { type: match[1], id: match[2] },
      pipelines: [],
      allPipelines: null,
    };
    if (req.method === 'GET') {
      return { status: 200, body: current };
    }
    if (req.method === 'PATCH') {
      for (const p of (body.pipelines ?? []) as {
        id: number;
        authorized: boolean;
      }[]) {
        current.pipelines = current.pipelines.filter(x => x.id !== p.id);
        current.pipelines.push({ id: p.id, authorized: p.authorized });
      }
      state.permissions.set(key, current);
      return { status: 200, body: current };
    }
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/policy-configurations/get?view=azure-devops-rest-7.1
  if (req.method === 'GET' && rest === 'git/policy/configurations') {
    return list(
      state.policies.filter(p => {
        const scope = (
          p.settings.scope as { repositoryId: string; refName: string }[]
        )[0];
        return (
          (!query.policyType || p.type.id === query.policyType) &&
          (!query.repositoryId || scope.repositoryId === query.repositoryId) &&
          (!query.refName || scope.refName === query.refName)
        );
      }),
    );
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/policy/configurations/create?view=azure-devops-rest-7.1
  if (req.method === 'POST' && rest === 'policy/configurations') {
    const policy = {
      id: ++state.nextId,
      isEnabled: Boolean(body.isEnabled),
      isBlocking: Boolean(body.isBlocking),
      type: body.type,
      settings: body.settings,
    };
    state.policies.push(policy);
    return { status: 200, body: policy };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/list?view=azure-devops-rest-7.1
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1
  if (runsMatch) {
    const match = runsMatch;
    const pipelineId = Number(match[1]);
    const runs = state.runs.get(pipelineId);
    if (!runs) {
      return error(
        404,
        `Pipeline with id ${pipelineId} does not exist or you do not have permission to access it.`,
        'PipelineNotFoundException',
      );
    }
    const shape = (r: {
      id: number;
      name: string;
      state: string;
      createdDate?: string;
    }) => ({
      ...r,
      pipeline: { id: pipelineId },
      url: `${projectUrl}/_apis/pipelines/${pipelineId}/runs/${r.id}`,
      _links: {
        web: { href: `${projectUrl}/_build/results?buildId=${r.id}` },
      },
    });
    if (req.method === 'GET') {
      return list([...runs].reverse().map(shape));
    }
    if (req.method === 'POST') {
      const run = {
        id: ++state.nextId,
        name: `${state.nextId}`,
        state: 'inProgress',
        createdDate: new Date().toISOString(),
      };
      runs.push(run);
      return { status: 200, body: shape(run) };
    }
  }
  return error(
    404,
    `The stand-in has no route for ${req.method} ${rest}.`,
    'RouteNotFoundException',
  );
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
      body: text ? JSON.parse(text) : undefined,
    });
    res.writeHead(response.status, {
      'Content-Type': 'application/json; charset=utf-8',
    });
    res.end(response.body === undefined ? '' : JSON.stringify(response.body));
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
