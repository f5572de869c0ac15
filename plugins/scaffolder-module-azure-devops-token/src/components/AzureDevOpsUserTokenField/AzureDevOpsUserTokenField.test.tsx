import { act, render, screen, waitFor } from '@testing-library/react';
import { TestApiProvider, mockApis } from '@backstage/frontend-test-utils';
import {
  configApiRef,
  microsoftAuthApiRef,
  type OAuthApi,
} from '@backstage/frontend-plugin-api';
import {
  SecretsContextProvider,
  useTemplateSecrets,
  type FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { AzureDevOpsUserTokenField } from './AzureDevOpsUserTokenField';

const ENTRA_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.user-token.signature';

/** Shows the secrets the field stored, as the scaffolder would send them with the task. */
function SecretsProbe() {
  const { secrets } = useTemplateSecrets();
  return <pre data-testid="secrets">{JSON.stringify(secrets)}</pre>;
}

type ConfigData = NonNullable<Parameters<typeof mockApis.config>[0]>['data'];

async function renderField(options: {
  config: ConfigData;
  getAccessToken: jest.Mock;
}) {
  const onChange = jest.fn();
  const props = {
    schema: { title: 'Azure DevOps access' },
    uiSchema: {},
    formData: undefined,
    onChange,
  } as unknown as FieldExtensionComponentProps<string>;
  const microsoftAuth: Pick<OAuthApi, 'getAccessToken'> = {
    getAccessToken: options.getAccessToken,
  };
  // The token request resolves after the first render; act() waits for it.
  await act(async () => {
    render(
      <TestApiProvider
        apis={[
          [configApiRef, mockApis.config({ data: options.config })],
          [microsoftAuthApiRef, microsoftAuth],
        ]}
      >
        <SecretsContextProvider>
          <AzureDevOpsUserTokenField {...props} />
          <SecretsProbe />
        </SecretsContextProvider>
      </TestApiProvider>,
    );
  });
  return { onChange };
}

describe('AzureDevOpsUserTokenField', () => {
  it('stores the Microsoft access token for Azure DevOps as a secret, not as a form value', async () => {
    const getAccessToken = jest.fn().mockResolvedValue(ENTRA_TOKEN);
    const { onChange } = await renderField({
      config: {
        scaffolder: { azureDevOpsUserToken: { provider: 'microsoft' } },
      },
      getAccessToken,
    });

    await waitFor(() =>
      expect(JSON.parse(screen.getByTestId('secrets').textContent!)).toEqual({
        azureDevOpsUserToken: ENTRA_TOKEN,
      }),
    );
    expect(getAccessToken).toHaveBeenCalledTimes(1);
    expect(getAccessToken).toHaveBeenCalledWith([
      '499b84ac-1321-427f-aa17-267ca6975798/user_impersonation',
    ]);
    expect(onChange).not.toHaveBeenCalled();
    expect(
      screen.getByText(/created and run as you, with your Azure DevOps token/),
    ).toBeInTheDocument();
  });

  it("stores nothing and says the portal's token is used when Microsoft sign-in is not configured", async () => {
    const getAccessToken = jest.fn();
    const { onChange } = await renderField({ config: {}, getAccessToken });

    expect(
      screen.getByText(
        "The portal's Azure DevOps token will be used to create and run the pipeline.",
      ),
    ).toBeInTheDocument();
    expect(JSON.parse(screen.getByTestId('secrets').textContent!)).toEqual({});
    expect(getAccessToken).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('stores nothing and says why when Microsoft sign-in gives no token', async () => {
    const getAccessToken = jest
      .fn()
      .mockRejectedValue(new Error('Login failed, rejected by user'));
    await renderField({
      config: {
        scaffolder: { azureDevOpsUserToken: { provider: 'microsoft' } },
      },
      getAccessToken,
    });

    expect(
      await screen.findByText(
        /Login failed, rejected by user\); the portal's token will be used/,
      ),
    ).toBeInTheDocument();
    expect(JSON.parse(screen.getByTestId('secrets').textContent!)).toEqual({});
  });
});
