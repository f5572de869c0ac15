import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  BASE,
  backstageError,
  dryRunOf,
  fleet,
  salesDashboard,
} from '../__fixtures__/services';
import { errorLine } from '../lib/format';
import { TemplateUpgradesClient } from './TemplateUpgradesClient';

const client = new TemplateUpgradesClient({
  discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
  fetchApi: mockApis.fetch(),
});

describe('TemplateUpgradesClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('lists the services, and only one template when asked', async () => {
    const templates: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/services`, ({ request }) => {
        const template = new URL(request.url).searchParams.get('template');
        templates.push(template);
        return HttpResponse.json({
          items: fleet.filter(s => !template || s.template.name === template),
        });
      }),
    );
    expect(await client.listServices()).toHaveLength(fleet.length);
    expect(
      await client.listServices({ template: 'cloudflare-image-optimizer' }),
    ).toEqual([]);
    expect(templates).toEqual([null, 'cloudflare-image-optimizer']);
  });

  it('reads one service at /services/:namespace/:kind/:name, namespace first', async () => {
    server.use(
      http.get(`${BASE}/services/:namespace/:kind/:name`, ({ params }) =>
        params.namespace === 'default' &&
        params.kind === 'component' &&
        params.name === 'sales-dashboard'
          ? HttpResponse.json(salesDashboard)
          : HttpResponse.json(
              backstageError(404, 'NotFoundError', 'No such service'),
              { status: 404 },
            ),
      ),
    );
    expect(
      await client.getService('Component:default/sales-dashboard'),
    ).toEqual(salesDashboard);
  });

  it('posts the dry-run flag as JSON to the service upgrade route', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(
        `${BASE}/services/default/component/sales-dashboard/upgrade`,
        async ({ request }) => {
          expect(request.headers.get('content-type')).toBe('application/json');
          const body = (await request.json()) as { dryRun: boolean };
          bodies.push(body);
          return HttpResponse.json(
            body.dryRun
              ? dryRunOf(salesDashboard)
              : {
                  ...dryRunOf(salesDashboard),
                  result: 'opened',
                  pullRequest: { url: 'https://pr/1', number: 1 },
                },
          );
        },
      ),
    );
    const dry = await client.upgrade(salesDashboard.entityRef, {
      dryRun: true,
    });
    const real = await client.upgrade(salesDashboard.entityRef, {
      dryRun: false,
    });
    expect(bodies).toEqual([{ dryRun: true }, { dryRun: false }]);
    expect(dry.result).toBe('dry-run');
    expect(real.pullRequest?.number).toBe(1);
  });

  it("rejects a 404 with the backend's message", async () => {
    server.use(
      http.get(`${BASE}/services/default/component/sales-dashboard`, () =>
        HttpResponse.json(
          backstageError(
            404,
            'NotFoundError',
            'component:default/sales-dashboard was not made from a template',
          ),
          { status: 404 },
        ),
      ),
    );
    const error = await client
      .getService(salesDashboard.entityRef)
      .catch(e => e);
    expect(error.statusCode).toBe(404);
    expect(errorLine(error)).toBe(
      'component:default/sales-dashboard was not made from a template',
    );
  });

  it('rejects a 403 sent as a bare { error: { message } } with that message in one line', async () => {
    server.use(
      http.post(
        `${BASE}/services/default/component/sales-dashboard/upgrade`,
        () =>
          HttpResponse.json(
            {
              error: {
                message:
                  'Only members of group:default/dashboards-team can upgrade it.',
              },
            },
            { status: 403 },
          ),
      ),
    );
    const error = await client
      .upgrade(salesDashboard.entityRef, { dryRun: true })
      .catch(e => e);
    expect(error.statusCode).toBe(403);
    expect(errorLine(error)).toBe(
      'Only members of group:default/dashboards-team can upgrade it.',
    );
  });

  it('rejects a 500 naming the backend and its status', async () => {
    server.use(
      http.get(`${BASE}/services`, () =>
        HttpResponse.text('upstream exploded\n    at stack frame', {
          status: 500,
        }),
      ),
    );
    const error = await client.listServices().catch(e => e);
    expect(errorLine(error)).toBe(
      'The template-upgrades backend failed (500): Request failed with status 500 Internal Server Error, upstream exploded',
    );
  });
});
