import { useState } from 'react';
import {
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
} from '@backstage/frontend-test-utils';
import {
  discoveryApiRef,
  fetchApiRef,
  type ApiHolder,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { RepositoryPicker } from './RepositoryPicker';
import { validateRepositoryLocation } from '../../lib/validation';

const server = setupServer();
registerMswTestHooks(server);

const BASE = 'http://localhost:7007/api/scaffolder';
const LOCAL = {
  host: '127.0.0.1:7008',
  type: 'local-git',
  title: 'This machine (local git server)',
  available: true,
};
const GITHUB_MISSING =
  'github.com needs a token with repository rights: set GITHUB_TOKEN (integrations.github)';
const AZURE_MISSING =
  'dev.azure.com needs a personal access token: add one under integrations.azure credentials (app-config.local.yaml; AZURE_DEVOPS_TOKEN in production)';

/** As the backend answers with the local defaults: only the local git server has credentials. */
function hosts(githubToken = false, azureToken = false) {
  return http.get(`${BASE}/repository-hosts`, () =>
    HttpResponse.json({
      hosts: [
        LOCAL,
        azureToken
          ? {
              host: 'dev.azure.com',
              type: 'azure',
              title: 'Azure DevOps',
              available: true,
            }
          : {
              host: 'dev.azure.com',
              type: 'azure',
              title: 'Azure DevOps',
              available: false,
              missing: AZURE_MISSING,
            },
        githubToken
          ? {
              host: 'github.com',
              type: 'github',
              title: 'GitHub',
              available: true,
            }
          : {
              host: 'github.com',
              type: 'github',
              title: 'GitHub',
              available: false,
              missing: GITHUB_MISSING,
            },
      ],
    }),
  );
}

/**
 * The azure-devops backend module's `GET azure-pipelines/team-resources` (TeamResourcesResponse):
 * what azurePipelines.teams grants team-a, a 403 naming the group for anyone else.
 */
function teamResources(grantedProjects = ['Dashboards', 'Reports']) {
  // Both answers are sent together, once both questions are in, as a fast backend does.
  let arrived = 0;
  let release: () => void = () => {};
  const both = new Promise<void>(resolve => {
    release = resolve;
  });
  return http.get(
    `${BASE}/azure-pipelines/team-resources`,
    async ({ request }) => {
      arrived += 1;
      if (arrived === 2) release();
      await both;
      const query = new URL(request.url).searchParams;
      if (query.get('owner') !== 'group:default/team-a') {
        return HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: `Only members of ${query.get(
                'owner',
              )} may see the service connections and environments granted to it`,
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        );
      }
      const granted: Record<string, string[]> = {
        organization: ['golden-path'],
        project: grantedProjects,
      };
      return HttpResponse.json({
        owner: 'group:default/team-a',
        kind: query.get('kind'),
        label: `Azure DevOps ${query.get('kind')}`,
        names: granted[query.get('kind') ?? ''] ?? [],
        grantedBy: 'group:default/platform-team',
      });
    },
  );
}

function Form(props: { serviceName?: string; owner?: string }) {
  const [value, setValue] = useState<string | undefined>();
  const [name, setName] = useState(props.serviceName);
  const fieldProps = {
    schema: { title: 'Repository location', description: 'Where it goes' },
    uiSchema: {
      'ui:options': { allowedHosts: ['dev.azure.com', 'github.com'] },
    },
    formData: value,
    onChange: setValue,
    formContext: { formData: { name, owner: props.owner } },
    idSchema: { $id: 'root_repoUrl' },
    rawErrors: [],
  } as unknown as FieldExtensionComponentProps<string, any>;
  return (
    <>
      <button onClick={() => setName('renamed-service')}>rename</button>
      <RepositoryPicker {...fieldProps} />
      <output data-testid="value">{value ?? '(none)'}</output>
    </>
  );
}

const apis = () =>
  [
    [discoveryApiRef, mockApis.discovery({ baseUrl: 'http://localhost:7007' })],
    [fetchApiRef, mockApis.fetch()],
  ] as const;

function renderForm(serviceName?: string, owner?: string) {
  return render(
    <TestApiProvider apis={apis() as any}>
      <Form serviceName={serviceName} owner={owner} />
    </TestApiProvider>,
  );
}

describe('RepositoryPicker', () => {
  it('picks the local git server with the service name, and says in one sentence what the other hosts need', async () => {
    server.use(hosts());
    renderForm('sales-dashboard');

    expect(
      await screen.findByText(
        `Not offered here: ${AZURE_MISSING}; ${GITHUB_MISSING}.`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('value')).toHaveTextContent(
      '127.0.0.1:7008?repo=sales-dashboard',
    );
    fireEvent.mouseDown(screen.getByRole('button', { name: /Host/ }));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      'This machine (local git server)',
    ]);
  });

  it('follows the service name until another name is typed, and holds every keystroke at once', async () => {
    server.use(hosts());
    renderForm('sales-dashboard');
    await screen.findByText(/Not offered here/);

    fireEvent.click(screen.getByText('rename'));
    expect(screen.getByTestId('value')).toHaveTextContent(
      '127.0.0.1:7008?repo=renamed-service',
    );

    // No blur, no debounce: what the field shows is the value Review checks.
    fireEvent.change(screen.getByLabelText(/Repository name/), {
      target: { value: 'my-repo' },
    });
    expect(screen.getByTestId('value')).toHaveTextContent(
      '127.0.0.1:7008?repo=my-repo',
    );
    fireEvent.click(screen.getByText('rename'));
    expect(screen.getByTestId('value')).toHaveTextContent(
      '127.0.0.1:7008?repo=my-repo',
    );
  });

  it('asks for the GitHub organization once GitHub is picked', async () => {
    server.use(hosts(true));
    renderForm('shop');
    await screen.findByText(/Not offered here/);
    fireEvent.mouseDown(screen.getByRole('button', { name: /Host/ }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'GitHub',
      }),
    );
    fireEvent.change(screen.getByLabelText(/GitHub organization or user/), {
      target: { value: 'acme' },
    });
    expect(screen.getByTestId('value')).toHaveTextContent(
      'github.com?owner=acme&repo=shop',
    );
  });

  it("offers the owner's Azure DevOps organizations and projects, the only organization chosen", async () => {
    server.use(hosts(false, true), teamResources());
    renderForm('shop', 'group:default/team-a');
    await screen.findByText(/Not offered here/);
    fireEvent.mouseDown(screen.getByRole('button', { name: /Host/ }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Azure DevOps',
      }),
    );
    // One organization is granted: it is the value without a click.
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /Azure DevOps organization/ }),
      ).toHaveTextContent('golden-path'),
    );
    fireEvent.mouseDown(
      screen.getByRole('button', { name: /Azure DevOps project/ }),
    );
    const projects = within(await screen.findByRole('listbox'));
    expect(projects.getAllByRole('option').map(o => o.textContent)).toEqual([
      'Dashboards',
      'Reports',
    ]);
    fireEvent.click(projects.getByRole('option', { name: 'Reports' }));
    expect(screen.getByTestId('value')).toHaveTextContent(
      'dev.azure.com?organization=golden-path&project=Reports&repo=shop',
    );
  });

  it('chooses both the only organization and the only project when their answers arrive together', async () => {
    server.use(hosts(false, true), teamResources(['Dashboards']));
    renderForm('shop', 'group:default/team-a');
    await screen.findByText(/Not offered here/);
    fireEvent.mouseDown(screen.getByRole('button', { name: /Host/ }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Azure DevOps',
      }),
    );
    expect(
      await screen.findByText(
        'dev.azure.com?organization=golden-path&project=Dashboards&repo=shop',
      ),
    ).toBeInTheDocument();
  });

  it('says why nothing is offered on Azure DevOps for a team the user is not in', async () => {
    server.use(hosts(false, true), teamResources());
    renderForm('shop', 'group:default/team-b');
    await screen.findByText(/Not offered here/);
    fireEvent.mouseDown(screen.getByRole('button', { name: /Host/ }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Azure DevOps',
      }),
    );
    expect(
      await screen.findAllByText(
        'Only members of group:default/team-b may see the service connections and environments granted to it',
      ),
    ).toHaveLength(2);
    expect(screen.getByTestId('value')).toHaveTextContent(
      'dev.azure.com?repo=shop',
    );
  });

  it('says when the portal can create repositories nowhere', async () => {
    server.use(
      http.get(`${BASE}/repository-hosts`, () =>
        HttpResponse.json({
          hosts: [
            {
              host: 'github.com',
              type: 'github',
              title: 'GitHub',
              available: false,
              missing: GITHUB_MISSING,
            },
          ],
        }),
      ),
    );
    renderForm('shop');
    expect(
      await screen.findByText(
        `The portal cannot create repositories anywhere yet. Not offered here: ${GITHUB_MISSING}.`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('value')).toHaveTextContent('(none)');
  });
});

describe('validateRepositoryLocation', () => {
  const apiHolder = {
    get: (ref: { id: string }) =>
      Object.fromEntries(apis().map(([r, impl]) => [r.id, impl]))[ref.id],
  } as unknown as ApiHolder;

  it('refuses a name that is taken on the local git server, and the parts the host needs', async () => {
    server.use(
      hosts(true),
      http.get(`${BASE}/local-git/repositories/:name`, ({ params }) =>
        HttpResponse.json({
          name: params.name,
          exists: params.name === 'taken',
        }),
      ),
    );
    const errors: string[] = [];
    await validateRepositoryLocation(
      '127.0.0.1:7008?repo=taken',
      m => errors.push(m),
      apiHolder,
    );
    await validateRepositoryLocation(
      '127.0.0.1:7008?repo=free',
      m => errors.push(m),
      apiHolder,
    );
    await validateRepositoryLocation(
      'github.com?repo=shop',
      m => errors.push(m),
      apiHolder,
    );
    await validateRepositoryLocation(
      '127.0.0.1:7008?',
      m => errors.push(m),
      apiHolder,
    );
    expect(errors).toEqual([
      "a repository named 'taken' already exists on this machine's git server: choose another name",
      'give the GitHub organization or user the repository belongs to',
      'give the repository a name',
    ]);
  });
});
