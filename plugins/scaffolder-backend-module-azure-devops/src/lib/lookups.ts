import { InputError } from '@backstage/errors';
import { API_VERSIONS, AzureDevOpsClient } from './client';

/** A service connection as Endpoints - Get Service Endpoints By Names answers. */
export interface ServiceConnection {
  id: string;
  name: string;
  type: string;
}

/**
 * What a connection is used for, and the endpoint `type` values Azure DevOps gives that kind
 * (service endpoint types `dockerregistry`, `kubernetes`, `github`, `githubenterprise`, as the
 * Endpoints API returns them; learn.microsoft.com/azure/devops/pipelines/library/service-endpoints).
 */
export const CONNECTION_KINDS = {
  registry: { label: 'Docker Registry', types: ['dockerregistry'] },
  kubernetes: { label: 'Kubernetes', types: ['kubernetes'] },
  github: { label: 'GitHub', types: ['github', 'githubenterprise'] },
} as const;

/** What a connection is used for. */
export type ConnectionKind = keyof typeof CONNECTION_KINDS;

/**
 * Finds service connections by name (Azure DevOps compares them without regard to case), in the
 * order asked, and checks that each is of the kind it is used as. Names none of the project's
 * connections carry, and connections of another type, are errors that name them.
 */
export async function findServiceConnections(
  client: AzureDevOpsClient,
  wanted: { name: string; kind: ConnectionKind }[],
): Promise<ServiceConnection[]> {
  const names = wanted.map(w => w.name);
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/serviceendpoint/endpoints/get-service-endpoints-by-names?view=azure-devops-rest-7.1
  const found = await client.request<{ value: ServiceConnection[] }>({
    method: 'GET',
    path: 'serviceendpoint/endpoints',
    apiVersion: API_VERSIONS.endpoints,
    query: { endpointNames: names.join(',') },
    context: {
      operation: `look up the service connections ${names
        .map(n => `'${n}'`)
        .join(', ')}`,
      scope: 'endpoints',
    },
  });
  const byName = new Map(
    found.value.map(c => [c.name.toLowerCase(), c] as const),
  );
  const missing = names.filter(n => !byName.has(n.toLowerCase()));
  if (missing.length > 0) {
    throw new InputError(
      `Project '${client.project}' of organization '${
        client.organization
      }' has no service connection named ${missing
        .map(n => `'${n}'`)
        .join(
          ', ',
        )}, or it is not ready yet. A project administrator creates it once (Project settings > Service connections; see docs/azure-devops.md), or correct the name in the form.`,
    );
  }
  const connections = wanted.map(w => byName.get(w.name.toLowerCase())!);
  const wrong = wanted.flatMap((w, i) => {
    const kind = CONNECTION_KINDS[w.kind];
    const type = connections[i].type ?? '';
    return (kind.types as readonly string[]).includes(type.toLowerCase())
      ? []
      : [
          `'${connections[i].name}' is a service connection of type '${type}', not ${kind.label}`,
        ];
  });
  if (wrong.length > 0) {
    throw new InputError(
      `${wrong.join(
        '; ',
      )}. Name a connection of the right type in the form (Project settings > Service connections of ` +
        `project '${client.project}' shows each one's type).`,
    );
  }
  return connections;
}
