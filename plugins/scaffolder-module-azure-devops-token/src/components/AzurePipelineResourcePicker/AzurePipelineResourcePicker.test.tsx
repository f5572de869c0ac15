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
import { AzurePipelineResourcePicker } from './AzurePipelineResourcePicker';

const server = setupServer();
registerMswTestHooks(server);

const ENDPOINT =
  'http://localhost:7007/api/scaffolder/azure-pipelines/team-resources';

/** What the backend says of the organizations it leaves out (its twoTeams test checks the text). */
const NOT_OFFERED =
  "Not offered: 'fabrikam', for which the portal has no Azure DevOps token; to connect it, set AZURE_DEVOPS_TOKEN " +
  '(the integrations.azure credential for dev.azure.com) to a personal access token with the scopes in docs/azure-devops.md and restart the portal.';

/**
 * Answers as the scaffolder backend's endpoint: team-a's grants to its members, otherwise a 403 in
 * the body Backstage's error handler sends (`ErrorResponseBody`: error, request, response).
 */
function teamResources(asked: URLSearchParams[]) {
  return http.get(ENDPOINT, ({ request }) => {
    const query = new URL(request.url).searchParams;
    asked.push(query);
    if (
      query.get('owner') === 'group:default/team-c' &&
      query.get('kind') === 'organization'
    ) {
      // team-c is granted fabrikam alone: nothing can be offered.
      return HttpResponse.json({
        owner: 'group:default/team-c',
        kind: 'organization',
        label: 'Azure DevOps organization',
        names: [],
        grantedBy:
          'group:default/platform-team, who maintain azurePipelines.teams',
        notOffered: { names: ['fabrikam'], message: NOT_OFFERED },
      });
    }
    if (query.get('owner') !== 'group:default/team-a') {
      return HttpResponse.json(
        {
          error: {
            name: 'NotAllowedError',
            message: `Only members of ${query.get(
              'owner',
            )} may see the service connections and environments granted to it`,
          },
          request: { method: 'GET', url: '/azure-pipelines/team-resources' },
          response: { statusCode: 403 },
        },
        { status: 403 },
      );
    }
    // team-a is granted contoso and fabrikam; the portal has a credential for contoso only
    // (integrations.azure), so fabrikam is named as not offered.
    const names: Record<string, string[]> = {
      kubernetes: ['aks-a', 'aks-a-staging'],
      environment: [],
      organization: ['contoso'],
    };
    const notOffered =
      query.get('kind') === 'organization'
        ? { notOffered: { names: ['fabrikam'], message: NOT_OFFERED } }
        : {};
    return HttpResponse.json({
      owner: 'group:default/team-a',
      kind: query.get('kind'),
      label:
        query.get('kind') === 'environment'
          ? 'environment'
          : 'Kubernetes service connection',
      names: names[query.get('kind')!],
      grantedBy:
        'group:default/platform-team, who maintain azurePipelines.teams',
      ...notOffered,
    });
  });
}

/** The field in a form whose owner (chosen on another page) is `owner`. */
function Form(props: { owner?: string; kind: string; initial?: string }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const fieldProps = {
    schema: {
      title: 'Kubernetes service connection',
      description: 'The cluster',
    },
    uiSchema: { 'ui:options': { kind: props.kind } },
    formData: value,
    onChange: setValue,
    formContext: { formData: { owner: props.owner } },
    idSchema: { $id: 'root_kubernetes' },
    rawErrors: [],
  } as unknown as FieldExtensionComponentProps<string, any>;
  return (
    <>
      <AzurePipelineResourcePicker {...fieldProps} />
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

describe('AzurePipelineResourcePicker', () => {
  it("offers only the chosen owner's connections of its kind, and sets the one picked", async () => {
    const asked: URLSearchParams[] = [];
    server.use(teamResources(asked));
    renderForm({ owner: 'group:default/team-a', kind: 'kubernetes' });

    // Enabled once the owner's connections have arrived.
    expect(await screen.findByText('The cluster')).toBeInTheDocument();
    fireEvent.mouseDown(
      screen.getByRole('button', { name: /Kubernetes service connection/ }),
    );
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual(['aks-a', 'aks-a-staging']);
    fireEvent.click(options[1]);

    expect(screen.getByTestId('value')).toHaveTextContent('aks-a-staging');
    expect(asked.map(q => Object.fromEntries(q))).toEqual([
      { owner: 'group:default/team-a', kind: 'kubernetes' },
    ]);
  });

  it('chooses the only organization the configuration grants the owner, as the default', async () => {
    server.use(teamResources([]));
    renderForm({ owner: 'group:default/team-a', kind: 'organization' });

    expect(await screen.findByText('The cluster')).toBeInTheDocument();
    // Shown as chosen in the select, and the form's value.
    expect(
      await screen.findByRole('button', { name: /contoso/ }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('value')).toHaveTextContent('contoso');
  });

  it('says which organizations are not offered and what to configure for them', async () => {
    server.use(teamResources([]));
    renderForm({
      owner: 'group:default/team-a',
      kind: 'organization',
      initial: 'fabrikam',
    });

    expect(await screen.findByText(NOT_OFFERED)).toBeInTheDocument();
    expect(screen.getByText('The cluster')).toBeInTheDocument();
    // The organization without a credential is not kept: the only one offered is chosen.
    expect(screen.getByTestId('value')).toHaveTextContent('contoso');
  });

  it('says only what to configure when no organization granted to the owner can be offered', async () => {
    server.use(teamResources([]));
    renderForm({ owner: 'group:default/team-c', kind: 'organization' });

    expect(await screen.findByText(NOT_OFFERED)).toBeInTheDocument();
    expect(screen.queryByText(/granted yet/)).not.toBeInTheDocument();
  });

  it('clears a value the owner may not use', async () => {
    server.use(teamResources([]));
    renderForm({
      owner: 'group:default/team-a',
      kind: 'kubernetes',
      initial: 'aks-b',
    });

    expect(await screen.findByText('The cluster')).toBeInTheDocument();
    expect(screen.getByTestId('value')).toHaveTextContent('(none)');
  });

  it('asks nothing and says to choose the owner first when none is chosen', async () => {
    const asked: URLSearchParams[] = [];
    server.use(teamResources(asked));
    renderForm({ kind: 'kubernetes' });

    expect(
      await screen.findByText(
        'Choose the owner on the first page: the choices are its own.',
      ),
    ).toBeInTheDocument();
    expect(asked).toEqual([]);
  });

  it("shows the backend's refusal for a team the user is not a member of", async () => {
    server.use(teamResources([]));
    renderForm({ owner: 'group:default/team-b', kind: 'kubernetes' });

    expect(
      await screen.findByText(
        'Only members of group:default/team-b may see the service connections and environments granted to it',
      ),
    ).toBeInTheDocument();
  });

  it('says whom to ask when the owner has nothing of that kind yet', async () => {
    server.use(teamResources([]));
    renderForm({ owner: 'group:default/team-a', kind: 'environment' });

    expect(
      await screen.findByText(
        'group:default/team-a has no environment granted yet: ask group:default/platform-team, who maintain azurePipelines.teams.',
      ),
    ).toBeInTheDocument();
  });
});
