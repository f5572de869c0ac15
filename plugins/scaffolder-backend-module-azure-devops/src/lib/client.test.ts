import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL, fakeAzureDevOps, ORG, PROJECT } from '../__testUtils__/msw';
import { API_VERSIONS, AzureDevOpsClient, retryAfterMs } from './client';

const ROUTE = `${BASE_URL}/${ORG}/${PROJECT}/_apis/build/definitions`;

function client(
  options: Partial<ConstructorParameters<typeof AzureDevOpsClient>[0]> = {},
) {
  const waits: number[] = [];
  return {
    waits,
    client: new AzureDevOpsClient({
      baseUrl: BASE_URL,
      organization: ORG,
      project: PROJECT,
      authorization: 'Basic wrong',
      identity: 'portal',
      sleep: async ms => {
        waits.push(ms);
      },
      ...options,
    }),
  };
}

const list = {
  method: 'GET' as const,
  path: 'build/definitions',
  apiVersion: API_VERSIONS.build,
  context: { operation: 'look up the pipeline', scope: 'build' as const },
};

describe('AzureDevOpsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('asks Azure DevOps not to answer a refused credential with its sign-in page, and gets a 401 it words', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);
    await expect(client().client.request(list)).rejects.toThrow(
      "Azure DevOps did not accept the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN) (401)",
    );
  });

  it.each([
    [
      'a 203 sign-in page',
      () =>
        new HttpResponse('<html><title>Sign In</title></html>', {
          status: 203,
          headers: { 'Content-Type': 'text/html' },
        }),
    ],
    [
      'a 302 to the sign-in page',
      () =>
        new HttpResponse(null, {
          status: 302,
          headers: { Location: 'https://login.microsoftonline.com/' },
        }),
    ],
    [
      'a 200 HTML page',
      () =>
        new HttpResponse('<html>Sign in</html>', {
          status: 200,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        }),
    ],
  ])(
    'recognises %s as a refused credential, naming the identity and the fix',
    async (_name, answer) => {
      server.use(http.get(ROUTE, answer));
      await expect(
        client({ identity: 'user' }).client.request(list),
      ).rejects.toThrow(
        /^Azure DevOps did not accept the signed-in user's Azure DevOps token \(401\).*Sign in to Microsoft again.*answered with its sign-in page/,
      );
    },
  );

  it('waits as Retry-After says when throttled (429), then succeeds', async () => {
    let calls = 0;
    server.use(
      http.get(ROUTE, () =>
        ++calls < 3
          ? HttpResponse.json(
              { message: 'slow down' },
              { status: 429, headers: { 'Retry-After': '7' } },
            )
          : HttpResponse.json({ count: 0, value: [] }),
      ),
    );
    const { client: c, waits } = client();
    await expect(c.request(list)).resolves.toEqual({ count: 0, value: [] });
    expect(waits).toEqual([7000, 7000]);
  });

  it('gives up after three retries and says it was throttled', async () => {
    server.use(
      http.get(ROUTE, () =>
        HttpResponse.json({ message: 'TF400733: throttled' }, { status: 429 }),
      ),
    );
    const { client: c, waits } = client();
    await expect(c.request(list)).rejects.toThrow(
      "Azure DevOps kept throttling the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN) (429) when trying to look up the pipeline",
    );
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('gives a request up after its timeout and says which call got no answer', async () => {
    server.use(
      http.get(ROUTE, async () => {
        await new Promise(r => setTimeout(r, 2000));
        return HttpResponse.json({});
      }),
    );
    await expect(
      client({ timeoutMs: 50 }).client.request(list),
    ).rejects.toThrow(
      "Azure DevOps got no answer within 0.05 s when trying to look up the pipeline in project 'dashboards' of organization 'contoso'",
    );
  });

  it('says so when a 200 answer is not JSON', async () => {
    server.use(
      http.get(
        ROUTE,
        () =>
          new HttpResponse('not json', {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          }),
      ),
    );
    await expect(client().client.request(list)).rejects.toThrow(
      'Azure DevOps answered 200 with a body that is not JSON when trying to look up the pipeline',
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs(null)).toBe(0);
  });
});
