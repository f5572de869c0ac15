import { InputError } from '@backstage/errors';
import { API_VERSIONS, AzureDevOpsClient } from './client';

/** A service connection as Endpoints - Get Service Endpoints By Names answers. */
export interface ServiceConnection {
  id: string;
  name: string;
  type: string;
}

/**
 * Finds service connections by name, in the order asked; names none of the project's
 * connections carry are an error that lists them.
 */
export async function findServiceConnections(
  client: AzureDevOpsClient,
  names: string[],
): Promise<ServiceConnection[]> {
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
        )}. A project administrator creates it once (Project settings > Service connections; see docs/azure-devops.md), or correct the name in the form.`,
    );
  }
  return names.map(n => byName.get(n.toLowerCase())!);
}
