import { useCallback, useState } from 'react';
import { Navigate, useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import {
  AnalyticsContext,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import { BreadcrumbEntry } from '@backstage/frontend-plugin-api';
import {
  FieldExtensionOptions,
  FormProps,
  scaffolderApiRef,
  SecretsContextProvider,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import {
  FormField,
  formFieldsApiRef,
  Workflow,
} from '@backstage/plugin-scaffolder-react/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { ReadableReviewState } from './ReadableReviewState';

/**
 * A form field as the scaffolder's form-fields API returns it. The API's public type is opaque;
 * `createFormField` stores the field's options on the instance (version `v1`), which is what the
 * scaffolder's own templates page reads. A field of another version is refused by name, so a
 * Backstage upgrade that changes the shape fails here, loudly, not with a blank form.
 */
export function toFieldExtension(field: FormField): FieldExtensionOptions {
  const candidate = field as unknown as FieldExtensionOptions & {
    version?: string;
  };
  if (
    candidate.version !== 'v1' ||
    typeof candidate.name !== 'string' ||
    typeof candidate.component !== 'function'
  ) {
    throw new TypeError(
      `The scaffolder form field '${String(
        candidate.name,
      )}' has version ${String(
        candidate.version,
      )}; the portal's template page reads v1 fields (packages/app/src/modules/scaffolder).`,
    );
  }
  return candidate;
}

function Wizard(props: {
  namespace: string;
  templateName: string;
  extensions: FieldExtensionOptions[];
  formProps?: FormProps;
}) {
  const { namespace, templateName } = props;
  const templateRef = stringifyEntityRef({
    kind: 'Template',
    namespace,
    name: templateName,
  });
  const scaffolderApi = useApi(scaffolderApiRef);
  const { secrets } = useTemplateSecrets();
  const navigate = useNavigate();
  const rootLink = useRouteRef(scaffolderPlugin.routes.root);
  const taskLink = useRouteRef(scaffolderPlugin.routes.ongoingTask);
  const [isCreating, setIsCreating] = useState(false);

  const onCreate = useCallback(
    async (values: Record<string, any>) => {
      if (isCreating) return;
      setIsCreating(true);
      try {
        const { taskId } = await scaffolderApi.scaffold({
          templateRef,
          values,
          secrets,
        });
        navigate(taskLink({ taskId }));
      } finally {
        setIsCreating(false);
      }
    },
    [isCreating, navigate, scaffolderApi, secrets, taskLink, templateRef],
  );
  const onError = useCallback(() => <Navigate to={rootLink()} />, [rootLink]);

  return (
    <AnalyticsContext attributes={{ entityRef: templateRef }}>
      {isCreating && <Progress />}
      <Workflow
        namespace={namespace}
        templateName={templateName}
        onCreate={onCreate}
        onError={onError}
        extensions={props.extensions}
        formProps={props.formProps}
        components={{ ReviewStateComponent: ReadableReviewState }}
      />
    </AnalyticsContext>
  );
}

/**
 * The scaffolder's template form (`/create/templates/:namespace/:templateName`) as the stock page
 * renders it (the same Workflow, fields, secrets, breadcrumb and task page), with one change: the
 * Review step shows entities by name (ReadableReviewState). The stock sub-page offers no way to
 * pass a Review component in the new frontend system.
 */
export function TemplateWizard(props: { formProps?: FormProps }) {
  const { namespace = 'default', templateName = '' } = useParams();
  const formFieldsApi = useApi(formFieldsApiRef);
  const fields = useAsync(
    async () => (await formFieldsApi.loadFormFields()).map(toFieldExtension),
    [formFieldsApi],
  );
  if (fields.error) throw fields.error;
  if (!fields.value) return <Progress />;
  return (
    <BreadcrumbEntry entry={{ label: templateName, href: '.' }}>
      <SecretsContextProvider>
        <Wizard
          namespace={namespace}
          templateName={templateName}
          extensions={fields.value}
          formProps={props.formProps}
        />
      </SecretsContextProvider>
    </BreadcrumbEntry>
  );
}
