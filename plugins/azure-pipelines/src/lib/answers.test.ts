import { PROXY_PATH } from '../api/AzurePipelinesClient';
import { proxyEndpointIn } from '../__testUtils__/appConfig';
import {
  READ_SCOPE,
  READ_TOKEN_VARIABLE,
  describeRefusal,
  refusalOf,
} from './answers';

const ref = {
  organization: 'contoso',
  project: 'Dashboards',
  pipelineName: 'x',
};

const answer = (status: number, contentType?: string) =>
  new Response('', {
    status,
    headers: contentType ? { 'Content-Type': contentType } : {},
  });

describe('refusalOf', () => {
  it('takes a JSON answer for data', () => {
    expect(
      refusalOf(
        answer(200, 'application/json; charset=utf-8; api-version=7.1'),
      ),
    ).toBeUndefined();
  });

  it('leaves errors other than 401 and 403 to the caller', () => {
    expect(refusalOf(answer(404, 'application/json'))).toBeUndefined();
    expect(refusalOf(answer(500, 'application/json'))).toBeUndefined();
  });

  it("recognises 401 and 403 and keeps Azure DevOps' own message", () => {
    expect(
      refusalOf(
        answer(401, 'application/json'),
        '{"message":"TF400813: The user is not authorized to access this resource."}',
      ),
    ).toEqual({
      kind: 'unauthorized',
      status: 401,
      said: 'TF400813: The user is not authorized to access this resource.',
    });
    expect(refusalOf(answer(403, 'text/html'), '<html>')).toEqual({
      kind: 'unauthorized',
      status: 403,
    });
  });

  it('recognises the sign-in page as a 203, or as a 200 that is not JSON', () => {
    expect(refusalOf(answer(203, 'text/html; charset=utf-8'))).toEqual({
      kind: 'sign-in-page',
      status: 203,
      contentType: 'text/html; charset=utf-8',
    });
    expect(refusalOf(answer(203, 'application/json'))?.kind).toBe(
      'sign-in-page',
    );
    expect(refusalOf(answer(200, 'text/html'))?.kind).toBe('sign-in-page');
  });

  it("recognises a redirect, as Node's 3xx and as the browser's opaque redirect", () => {
    expect(refusalOf(answer(302))).toEqual({ kind: 'redirect', status: 302 });
    expect(
      refusalOf({ type: 'opaqueredirect', status: 0, headers: new Headers() }),
    ).toEqual({ kind: 'redirect', status: 0 });
  });
});

describe('describeRefusal', () => {
  it('names the proxy identity, the variable that holds it, the scope and where it must reach', () => {
    const text = describeRefusal(ref, { kind: 'redirect', status: 0 });
    expect(text).toContain(`header in ${READ_TOKEN_VARIABLE}`);
    expect(text).toContain(`the scope ${READ_SCOPE}`);
    expect(text).toContain(`proxy endpoint ${PROXY_PATH}`);
    expect(text).toContain("project 'Dashboards' in organization 'contoso'");
    expect(text).toContain(
      "the signed-in user's own Azure DevOps access is not used",
    );
  });
});

describe(`the proxy endpoint ${PROXY_PATH} the card reads through`, () => {
  it.each(['app-config.yaml', 'app-config.production.yaml'])(
    'is read-only and asks Azure DevOps for a 401 instead of its sign-in page, in %s',
    file => {
      const endpoint = proxyEndpointIn(file);
      expect(endpoint.allowedMethods).toEqual(['GET']);
      expect(endpoint.headers?.['X-TFS-FedAuthRedirect']).toBe('Suppress');
    },
  );

  it('signs with the variable the card names, in production', () => {
    expect(
      proxyEndpointIn('app-config.production.yaml').headers?.Authorization,
    ).toBe(`\${${READ_TOKEN_VARIABLE}:-}`);
  });
});
