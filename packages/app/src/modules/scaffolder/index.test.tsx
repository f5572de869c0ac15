import { screen, waitFor } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { DefaultEntityPresentationApi } from '@backstage/plugin-catalog';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ParsedTemplateSchema } from '@backstage/plugin-scaffolder-react/alpha';
import { ReadableReviewState, entityRefAnswers } from './ReadableReviewState';
import { toFieldExtension } from './TemplateWizard';
import { scaffolderModule, templatesSubPage } from './index';

/**
 * Backstage's own presentation API (the one the app installs) over a catalog that holds these
 * entities: a group's `spec.profile.displayName`, a system's `metadata.title`.
 */
function presentationApi(entities: Entity[]) {
  return DefaultEntityPresentationApi.create({
    catalogApi: catalogApiMock({ entities }),
  });
}

const group = (name: string, displayName?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], profile: { displayName } },
});

function schema(properties: Record<string, object>): ParsedTemplateSchema {
  return {
    title: 'Service',
    mergedSchema: { type: 'object', properties },
    schema: { type: 'object', properties },
    uiSchema: {},
  } as ParsedTemplateSchema;
}

const SERVICE_PAGE = schema({
  name: { title: 'Name', type: 'string', 'ui:field': 'EntityNamePicker' },
  owner: { title: 'Owner', type: 'string', 'ui:field': 'MyGroupsPicker' },
  system: { title: 'System', type: 'string', 'ui:field': 'EntityPicker' },
  reviewers: {
    title: 'Reviewers',
    type: 'array',
    'ui:field': 'MultiEntityPicker',
  },
  note: { title: 'Note', type: 'string' },
  token: {
    title: 'Token',
    type: 'string',
    'ui:backstage': { review: { mask: '******' } },
    'ui:field': 'OwnerPicker',
  },
});

describe('the Review step of the portal template form', () => {
  it('shows entity-picking answers by the catalog display name, other answers as typed', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            entityPresentationApiRef,
            presentationApi([
              group('platform-team', 'Platform Team'),
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'System',
                metadata: { name: 'dashboards', title: 'Dashboards' },
                spec: { owner: 'platform-team' },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'User',
                metadata: { name: 'alice' },
                spec: { profile: { displayName: 'Alice Andersen' } },
              },
            ]),
          ],
        ]}
      >
        <ReadableReviewState
          schemas={[SERVICE_PAGE]}
          formState={{
            name: 'sales-dashboard',
            owner: 'group:default/platform-team',
            system: 'system:default/dashboards',
            reviewers: ['user:default/alice', 'user:default/bob'],
            note: 'group:default/platform-team',
          }}
        />
      </TestApiProvider>,
    );
    const row = (name: string) => screen.getByRole('row', { name });
    await waitFor(() => expect(row('Owner Platform Team')).toBeVisible());
    expect(row('System Dashboards')).toBeVisible();
    // Bob is not in the catalog: his ref without the default kind and namespace.
    expect(row('Reviewers Alice Andersen bob')).toBeVisible();
    // A text field is not an entity field, whatever its value looks like.
    expect(row('Note group:default/platform-team')).toBeVisible();
    expect(row('Name sales-dashboard')).toBeVisible();
    // Only the text field still shows the ref.
    expect(screen.getAllByText(/group:default\/platform-team/)).toHaveLength(1);
  });

  it("keeps Backstage's masks: a masked entity field shows its mask, not a name", async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            entityPresentationApiRef,
            presentationApi([group('secret-team', 'Secret Team')]),
          ],
        ]}
      >
        <ReadableReviewState
          schemas={[SERVICE_PAGE]}
          formState={{ token: 'group:default/secret-team' }}
        />
      </TestApiProvider>,
    );
    await waitFor(() =>
      expect(screen.getByRole('row', { name: 'Token ******' })).toBeVisible(),
    );
    expect(screen.queryByText(/Secret Team|secret-team/)).toBeNull();
  });

  it('finds only the answers of entity-picking fields, arrays included', () => {
    expect(
      entityRefAnswers({
        schemas: [SERVICE_PAGE],
        formState: {
          owner: 'group:default/platform-team',
          reviewers: ['user:default/alice'],
          note: 'user:default/alice',
          system: '',
        },
      }),
    ).toEqual(
      new Map([
        ['owner', ['group:default/platform-team']],
        ['reviewers', ['user:default/alice']],
      ]),
    );
  });

  it('refuses a form field whose shape it does not know, naming it', () => {
    expect(() =>
      toFieldExtension({
        $$type: '@backstage/scaffolder/FormField',
        version: 'v2',
        name: 'RepositoryPicker',
      } as any),
    ).toThrow(
      "The scaffolder form field 'RepositoryPicker' has version v2; the portal's template page reads v1 fields",
    );
  });

  // The page itself runs in the browser tests (e2e/create-service.spec.ts checks the owner row).
  it("replaces the scaffolder's templates sub-page under its own id", () => {
    expect(templatesSubPage).toMatchObject({
      kind: 'sub-page',
      name: 'templates',
    });
    expect(scaffolderModule).toMatchObject({ pluginId: 'scaffolder' });
  });
});
