import { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
} from '@backstage/frontend-test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  CloudflareEnginePicker,
  previewQuery,
  type CloudflareEnginePreview,
} from './CloudflareEnginePicker';

const server = setupServer();
registerMswTestHooks(server);

const ENDPOINT = 'http://localhost:7007/api/scaffolder/cloudflare/engine';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';
const prices = {
  readOn: '2026-12-07',
  sources: ['https://developers.cloudflare.com/images/pricing/'],
};

/**
 * Answers as the scaffolder backend's endpoint does (its own test, enginePreview.test.ts, runs
 * the real one against the Cloudflare stand-in): on a route the cloudflare engine on Images Free
 * up to 5,000 a month, wasm past that; on workers.dev a Workers Free refusal.
 */
function engine(asked: URLSearchParams[]) {
  return http.get(ENDPOINT, ({ request }) => {
    const query = new URL(request.url).searchParams;
    asked.push(query);
    if (query.get('placement') === 'workersDev') {
      return HttpResponse.json({
        refused:
          'No engine can work here, so nothing was uploaded. wasm engine: The account is on Workers Free: upgrade it to Workers Paid ($5 a month)',
        reasons: [],
        notes: [],
        prices,
      } satisfies CloudflareEnginePreview);
    }
    const volume = Number(query.get('imagesPerMonth') ?? 0);
    return HttpResponse.json({
      engine: volume > 5000 ? 'wasm' : 'cloudflare',
      reasons: ['Engine chosen for this account and placement'],
      notes: [],
      cost: {
        usd: 0,
        failed: 0,
        text:
          volume > 5000
            ? '$7.19 a month on Workers Paid for 50,000 transformations'
            : '$0.00 a month: Images Free covers 3,000 unique transformations (it stops at 5,000, nothing billed; error 9422 past that)',
      },
      prices,
    } satisfies CloudflareEnginePreview);
  });
}

function Form(props: { data: Record<string, unknown>; initial?: string }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const fieldProps = {
    schema: {
      title: 'Engine',
      description: 'How images are resized',
      enum: ['auto', 'cloudflare', 'wasm'],
    },
    uiSchema: {},
    formData: value,
    onChange: setValue,
    formContext: { formData: props.data },
    idSchema: { $id: 'root_engine' },
    rawErrors: [],
  } as unknown as FieldExtensionComponentProps<string, any>;
  return (
    <>
      <CloudflareEnginePicker {...fieldProps} />
      <output data-testid="value">{value ?? '(none)'}</output>
    </>
  );
}

function renderForm(props: Parameters<typeof Form>[0]) {
  return render(
    <TestApiProvider
      apis={[
        [
          discoveryApiRef,
          mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
        ],
        [fetchApiRef, mockApis.fetch()],
      ]}
    >
      <Form {...props} />
    </TestApiProvider>,
  );
}

const route = {
  owner: 'group:default/team-a',
  accountId: ACCOUNT,
  placement: 'route',
  zoneId: ZONE,
  routePattern: 'images.example.com/*',
  allowedOrigins: ['assets.example.com', 'cdn.example.com'],
};

describe('CloudflareEnginePicker', () => {
  it('shows the engine the deploy will get and that Images Free stops at 5,000, nothing billed', async () => {
    const asked: URLSearchParams[] = [];
    server.use(engine(asked));
    renderForm({ data: { ...route, imagesPerMonth: 3000 } });
    expect(
      await screen.findByText(
        /You get the cloudflare engine\. \$0\.00 a month: Images Free covers 3,000 unique transformations \(it stops at 5,000, nothing billed/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Prices read 2026-12-07/)).toBeInTheDocument();
    expect(Object.fromEntries(asked[0])).toEqual({
      owner: 'group:default/team-a',
      accountId: ACCOUNT,
      placement: 'route',
      engine: 'auto',
      zoneId: ZONE,
      routePattern: 'images.example.com/*',
      allowedOrigins: 'assets.example.com,cdn.example.com',
      imagesPerMonth: '3000',
    });
  });

  it('asks again with the engine picked and keeps it as the value', async () => {
    const asked: URLSearchParams[] = [];
    server.use(engine(asked));
    renderForm({ data: { ...route, imagesPerMonth: 50000 } });
    expect(
      await screen.findByText(/You get the wasm engine\. \$7\.19 a month/),
    ).toBeInTheDocument();
    fireEvent.mouseDown(screen.getByRole('button', { name: /Engine/ }));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    fireEvent.click(options[2]);
    expect(screen.getByTestId('value')).toHaveTextContent('wasm');
    await screen.findByText(/You get the wasm engine/);
    expect(asked.map(q => q.get('engine'))).toEqual(['auto', 'wasm']);
  });

  it('shows the refusal the deploy would give, with what to change', async () => {
    server.use(engine([]));
    renderForm({
      data: { ...route, placement: 'workersDev', zoneId: undefined },
    });
    expect(
      await screen.findByText(
        /The deploy would be refused: No engine can work here.*upgrade it to Workers Paid/,
      ),
    ).toBeInTheDocument();
  });

  it('asks nothing until the owner, account, origins and placement are given', async () => {
    const asked: URLSearchParams[] = [];
    server.use(engine(asked));
    renderForm({ data: { owner: 'group:default/team-a' } });
    expect(
      screen.getByText(
        /Choose the owner, the account, the image origins and where the Worker answers/,
      ),
    ).toBeInTheDocument();
    expect(asked).toEqual([]);
    expect(
      previewQuery('auto', { ...route, zoneId: undefined }, {}),
    ).toBeUndefined();
  });

  it("asks with the Worker's catalog entity instead of owner and account in the redeploy form", () => {
    const query = previewQuery(
      'auto',
      {
        entity: 'component:default/shop-images',
        placement: 'workersDev',
        allowedOrigins: ['assets.example.com'],
      },
      { entityField: 'entity' },
    );
    expect(Object.fromEntries(query!)).toEqual({
      entity: 'component:default/shop-images',
      placement: 'workersDev',
      engine: 'auto',
      allowedOrigins: 'assets.example.com',
    });
  });

  it("shows the backend's message when it refuses the user", async () => {
    server.use(
      http.get(ENDPOINT, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'Only members of group:default/team-a may ask what its Worker would run with; pick a team you are a member of',
            },
            request: { method: 'GET', url: '/cloudflare/engine' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    renderForm({ data: route });
    expect(
      await screen.findByText(/Only members of group:default\/team-a may ask/),
    ).toBeInTheDocument();
  });
});
