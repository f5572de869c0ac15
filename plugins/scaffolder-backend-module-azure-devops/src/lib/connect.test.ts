import { ConfigReader } from '@backstage/config';
import { createClientFactory } from './connect';

const github = 'github.com?owner=contoso&repo=sales-dashboard';
const azure =
  'dev.azure.com?organization=contoso&project=Dashboards&repo=sales-dashboard';

describe('createClientFactory', () => {
  it("gives the portal's own message, not an Azure identity error, when no token is configured", async () => {
    const connect = createClientFactory({
      config: new ConfigReader({
        integrations: { azure: [{ host: 'dev.azure.com' }] },
      }),
    });
    await expect(
      connect.client({ organization: 'contoso', project: 'Dashboards' }),
    ).rejects.toThrow(
      "The portal has no Azure DevOps token for organization 'contoso': set AZURE_DEVOPS_TOKEN (the integrations.azure credential for dev.azure.com)",
    );
  });

  it('does not use a credential configured for other organizations', async () => {
    const connect = createClientFactory({
      config: new ConfigReader({
        integrations: {
          azure: [
            {
              host: 'dev.azure.com',
              credentials: [
                { organizations: ['fabrikam'], personalAccessToken: 'pat' },
              ],
            },
          ],
        },
      }),
    });
    await expect(
      connect.client({ organization: 'contoso', project: 'Dashboards' }),
    ).rejects.toThrow(
      "The portal has no Azure DevOps token for organization 'contoso'",
    );
    await expect(
      connect.client({ organization: 'Fabrikam', project: 'Dashboards' }),
    ).resolves.toMatchObject({ identity: 'portal' });
  });

  it("uses the user's token when given, even without a configured one", async () => {
    const connect = createClientFactory({ config: new ConfigReader({}) });
    await expect(
      connect.client({
        organization: 'contoso',
        project: 'Dashboards',
        token: 'user-pat',
      }),
    ).resolves.toMatchObject({ identity: 'user' });
  });

  describe('locate', () => {
    const connect = createClientFactory({ config: new ConfigReader({}) });

    it('takes organization, project and repository from an Azure Repos URL', () => {
      expect(connect.locate({ repoUrl: azure })).toEqual({
        organization: 'contoso',
        project: 'Dashboards',
        repository: { type: 'azureReposGit', name: 'sales-dashboard' },
      });
    });

    it("keeps an Azure Repos repository's pipeline in its own project, whatever else is given", () => {
      expect(
        connect.locate({
          repoUrl: azure,
          organization: 'other',
          project: 'Other',
        }),
      ).toMatchObject({ organization: 'contoso', project: 'Dashboards' });
    });

    it('takes the Azure DevOps project of a GitHub repository from the explicit inputs', () => {
      expect(
        connect.locate({
          repoUrl: github,
          organization: 'contoso',
          project: 'Dashboards',
        }),
      ).toEqual({
        organization: 'contoso',
        project: 'Dashboards',
        repository: { type: 'gitHub', name: 'contoso/sales-dashboard' },
      });
    });

    it('refuses a host that is neither Azure Repos nor GitHub', () => {
      expect(() =>
        connect.locate({ repoUrl: 'gitlab.example.com?owner=a&repo=b' }),
      ).toThrow(
        'No matching integration configuration for host gitlab.example.com',
      );
    });
  });
});
