import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Typography from '@material-ui/core/Typography';
import {
  configApiRef,
  microsoftAuthApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  useTemplateSecrets,
  type FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import {
  AZURE_DEVOPS_SCOPE,
  AZURE_DEVOPS_USER_TOKEN_SECRET,
  PROVIDER_CONFIG_KEY,
} from '../../lib/azureDevOpsToken';

function Line(props: { title: string; message: string }) {
  return (
    <Typography variant="body2" color="textSecondary">
      <strong>{props.title}:</strong> {props.message}
    </Typography>
  );
}

/** Gets the token from Microsoft sign-in and stores it as the template secret. */
function MicrosoftUserToken(props: { title: string }) {
  const microsoftAuth = useApi(microsoftAuthApiRef);
  const { setSecrets } = useTemplateSecrets();
  // Asks the user to sign in with Microsoft (a pop-up) when there is no session yet.
  const token = useAsync(
    () => microsoftAuth.getAccessToken([AZURE_DEVOPS_SCOPE]),
    [microsoftAuth],
  );

  useEffect(() => {
    if (token.value) {
      setSecrets({ [AZURE_DEVOPS_USER_TOKEN_SECRET]: token.value });
    }
    // setSecrets is a new function on every render of the secrets context.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token.value]);

  let message: string;
  if (token.loading) {
    message = 'Getting your Azure DevOps token from Microsoft sign-in…';
  } else if (token.error) {
    message = `Could not get your Azure DevOps token from Microsoft sign-in (${token.error.message}); the portal's token will be used.`;
  } else {
    message =
      'The pipeline will be created and run as you, with your Azure DevOps token.';
  }
  return <Line title={props.title} message={message} />;
}

/**
 * Puts the signed-in user's Azure DevOps access token into the template's secrets (never into
 * the form's values, which become the task's stored input). Without Microsoft sign-in it stores
 * nothing and says that the portal's token will be used.
 */
export function AzureDevOpsUserTokenField(
  props: FieldExtensionComponentProps<string>,
) {
  const config = useApi(configApiRef);
  const title = props.schema.title ?? 'Azure DevOps access';
  if (config.getOptionalString(PROVIDER_CONFIG_KEY) !== 'microsoft') {
    return (
      <Line
        title={title}
        message="The portal's Azure DevOps token will be used to create and run the pipeline."
      />
    );
  }
  return <MicrosoftUserToken title={title} />;
}
