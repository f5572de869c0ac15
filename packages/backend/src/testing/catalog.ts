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

/**
 * Serves `/<name>/catalog-info.yaml` as a Component named <name> on loopback, so tests can
 * register entities the way users do: by URL. The backend must be allowed to read from it
 * (`readingConfig`).
 */
export async function startEntityServer() {
  const server = http.createServer((req, res) => {
    const name = /^\/([a-z0-9-]+)\/catalog-info\.yaml$/.exec(
      req.url ?? '',
    )?.[1];
    if (!name) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/yaml' })
      .end(
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: Component',
          'metadata:',
          `  name: ${name}`,
          'spec:',
          '  type: service',
          '  lifecycle: experimental',
          '  owner: group:platform-team',
          '',
        ].join('\n'),
      );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    readingConfig: { reading: { allow: [{ host }] } },
    urlFor: (name: string) => `http://${host}/${name}/catalog-info.yaml`,
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
