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
import { CloudflareAccountPicker } from './CloudflareAccountPicker';

const server = setupServer();
registerMswTestHooks(server);

const ENDPOINT = 'http://localhost:7007/api/scaffolder/cloudflare/accounts';
const SHOP = '0123456789abcdef0123456789abcdef';
const LABS = 'fedcba9876543210fedcba9876543210';
const NOT_CONFIGURED =
  "No Cloudflare account can be offered: the portal has no Cloudflare token for group:default/team-b; add the group with its token to cloudflare.teamTokens, or to cloudflare.portalTokenGroups to let it use the portal's token.";

/**
 * Answers as the scaffolder backend's endpoint does (its own test, accounts.test.ts, runs the
 * real one): team-a's token reaches two accounts, team-c's one, team-b has no token, others are
 * refused in the body Backstage's error handler sends.
 */
function accounts(asked: URLSearchParams[]) {
  return http.get(ENDPOINT, ({ request }) => {
    const query = new URL(request.url).searchParams;
    asked.push(query);
    const owner = query.get('owner');
    if (owner === 'group:default/team-a') {
      return HttpResponse.json({
        accounts: [
          { id: LABS, name: 'Labs' },
          { id: SHOP, name: 'Shop' },
        ],
      });
    }
    if (owner === 'group:default/team-c') {
      return HttpResponse.json({ accounts: [{ id: SHOP, name: 'Shop' }] });
    }
    if (owner === 'group:default/team-b') {
      return HttpResponse.json({ accounts: [], notConfigured: NOT_CONFIGURED });
    }
    return HttpResponse.json(
      {
        error: {
          name: 'NotAllowedError',
          message: `Only members of ${owner} may list the Cloudflare accounts its token reaches; pick a team you are a member of`,
        },
        request: { method: 'GET', url: '/cloudflare/accounts' },
        response: { statusCode: 403 },
      },
      { status: 403 },
    );
  });
}

function Form(props: { owner?: string; initial?: string }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const fieldProps = {
    schema: { title: 'Cloudflare account', description: 'Where it runs' },
    uiSchema: {},
    formData: value,
    onChange: setValue,
    formContext: { formData: { owner: props.owner } },
    idSchema: { $id: 'root_accountId' },
    rawErrors: [],
  } as unknown as FieldExtensionComponentProps<string, any>;
  return (
    <>
      <CloudflareAccountPicker {...fieldProps} />
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

describe('CloudflareAccountPicker', () => {
  it("offers the accounts of the owner's token by name and sets the id of the one picked", async () => {
    const asked: URLSearchParams[] = [];
    server.use(accounts(asked));
    renderForm({ owner: 'group:default/team-a' });

    expect(await screen.findByText('Where it runs')).toBeInTheDocument();
    fireEvent.mouseDown(
      screen.getByRole('button', { name: /Cloudflare account/ }),
    );
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      `Labs (${LABS})`,
      `Shop (${SHOP})`,
    ]);
    fireEvent.click(options[1]);
    expect(screen.getByTestId('value')).toHaveTextContent(SHOP);
    expect(asked.map(q => Object.fromEntries(q))).toEqual([
      { owner: 'group:default/team-a' },
    ]);
  });

  it('chooses the only account the token reaches', async () => {
    server.use(accounts([]));
    renderForm({ owner: 'group:default/team-c' });
    expect(
      await screen.findByRole('button', { name: /Shop/ }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('value')).toHaveTextContent(SHOP);
  });

  it('says in one sentence what to configure when the portal has no token for the owner, offers nothing, and takes a typed id', async () => {
    server.use(accounts([]));
    renderForm({ owner: 'group:default/team-b' });
    expect(
      await screen.findByText(
        `${NOT_CONFIGURED} Until then, type the account id; the deploy step will say that Cloudflare is not configured.`,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Cloudflare account/ }),
    ).toBeNull();
    fireEvent.change(
      screen.getByRole('textbox', { name: /Cloudflare account/ }),
      {
        target: { value: LABS },
      },
    );
    expect(screen.getByTestId('value')).toHaveTextContent(LABS);
  });

  it("shows the backend's refusal for a team the user is not a member of", async () => {
    server.use(accounts([]));
    renderForm({ owner: 'group:default/team-x' });
    expect(
      await screen.findByText(
        'Only members of group:default/team-x may list the Cloudflare accounts its token reaches; pick a team you are a member of',
      ),
    ).toBeInTheDocument();
  });

  it('asks nothing and says to choose the owner first when none is chosen', async () => {
    const asked: URLSearchParams[] = [];
    server.use(accounts(asked));
    renderForm({});
    expect(
      await screen.findByText(
        'Choose the owner on the first page: the accounts are those of its token.',
      ),
    ).toBeInTheDocument();
    expect(asked).toEqual([]);
  });
});
