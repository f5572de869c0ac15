import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendProcess } from './backendProcess';

/** Entity refs (`kind:namespace/name`, lower case) the catalog serves now. */
export async function catalogRefs(
  backend: BackendProcess,
): Promise<Set<string>> {
  const res = await backend.request(
    '/api/catalog/entities?fields=kind,metadata.name,metadata.namespace',
  );
  if (!res.ok)
    throw new Error(`catalog answered ${res.status}: ${await res.text()}`);
  const entities = (await res.json()) as Array<{
    kind: string;
    metadata: { name: string; namespace?: string };
  }>;
  return new Set(
    entities.map(e =>
      `${e.kind}:${e.metadata.namespace ?? 'default'}/${
        e.metadata.name
      }`.toLowerCase(),
    ),
  );
}

/** Polls the catalog until every ref is served; resolves with what it served last. */
export async function waitForEntities(
  backend: BackendProcess,
  refs: string[],
  timeoutMs = 60_000,
): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const served = await catalogRefs(backend);
    if (refs.every(ref => served.has(ref)) || Date.now() > deadline)
      return served;
    await new Promise(r => setTimeout(r, 500));
  }
}

/** What the entity server serves at `/<name>/<file>`: one entity of that kind named <name>. */
const ENTITY_FILES: Record<string, (name: string) => string[]> = {
  'catalog-info.yaml': name => [
    'kind: Component',
    `metadata: { name: ${name} }`,
    'spec: { type: service, lifecycle: experimental, owner: group:platform-team }',
  ],
  'template.yaml': name => [
    'apiVersion: scaffolder.backstage.io/v1beta3',
    'kind: Template',
    `metadata: { name: ${name} }`,
    'spec: { type: service, owner: group:dashboards-team, steps: [] }',
  ],
  'group.yaml': name => [
    'kind: Group',
    `metadata: { name: ${name} }`,
    'spec: { type: team, children: [], members: [bob] }',
  ],
};

/**
 * Serves `/<name>/catalog-info.yaml` as a Component named <name> on loopback, so tests can
 * register entities the way users do: by URL; `/<name>/template.yaml` and `/<name>/group.yaml`
 * serve a Template and a Group. The backend must be allowed to read from it (`readingConfig`).
 */
export async function startEntityServer() {
  const server = http.createServer((req, res) => {
    const match = /^\/([a-z0-9-]+)\/([a-z-]+\.yaml)$/.exec(req.url ?? '');
    const entity = match && ENTITY_FILES[match[2]];
    if (!match || !entity) {
      res.writeHead(404).end();
      return;
    }
    const lines = entity(match[1]);
    res
      .writeHead(200, { 'content-type': 'text/yaml' })
      .end(
        [
          ...(lines[0].startsWith('apiVersion')
            ? []
            : ['apiVersion: backstage.io/v1alpha1']),
          ...lines,
          '',
        ].join('\n'),
      );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    readingConfig: { reading: { allow: [{ host }] } },
    baseUrl: `http://${host}/`,
    urlFor: (name: string, file = 'catalog-info.yaml') =>
      `http://${host}/${name}/${file}`,
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}

/** Registers an entity server's URL through the catalog API; resolves with its entity ref. */
export async function registerComponent(
  backend: BackendProcess,
  origin: Awaited<ReturnType<typeof startEntityServer>>,
  name: string,
) {
  const url = origin.urlFor(name);
  const res = await backend.request('/api/catalog/locations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'url', target: url }),
  });
  if (res.status !== 201) {
    throw new Error(
      `registering ${url} answered ${res.status}: ${await res.text()}`,
    );
  }
  return `component:default/${name}`;
}
