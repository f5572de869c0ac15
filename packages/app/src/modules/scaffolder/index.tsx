import { Route, Routes } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  coreExtensionData,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import scaffolderPlugin, {
  formDecoratorsApiRef,
} from '@backstage/plugin-scaffolder/alpha';
import { TemplateWizard } from './TemplateWizard';

/**
 * The stock templates sub-page, except that a template's form is the portal's TemplateWizard.
 * Form decorators run inside the stock wizard only; this app registers none, and if one is ever
 * registered the stock page is used whole (owners then show as refs on Review again).
 */
function TemplatesRoutes(props: { stock: JSX.Element; mui: boolean }) {
  const decoratorsApi = useApi(formDecoratorsApiRef);
  const decorators = useAsync(
    () => decoratorsApi.getFormDecorators(),
    [decoratorsApi],
  );
  if (decorators.loading) return <Progress />;
  if (decorators.error || (decorators.value?.length ?? 0) > 0) {
    return props.stock;
  }
  return (
    <Routes>
      <Route
        path=":namespace/:templateName"
        element={
          <TemplateWizard
            formProps={{ EXPERIMENTAL_theme: props.mui ? 'mui' : 'bui' }}
          />
        }
      />
      <Route path="*" element={props.stock} />
    </Routes>
  );
}

/**
 * The scaffolder's `sub-page:scaffolder/templates` with its path, title and config kept: the
 * template list is the stock one, the form shows entities by name on its Review step.
 */
export const templatesSubPage = scaffolderPlugin
  .getExtension('sub-page:scaffolder/templates')
  .override({
    factory(originalFactory, { config }) {
      const original = originalFactory();
      return [...original].map(data =>
        data.id === coreExtensionData.reactElement.id
          ? coreExtensionData.reactElement(
              <TemplatesRoutes
                stock={data.value as JSX.Element}
                mui={!config.enableBackstageUi}
              />,
            )
          : data,
      );
    },
  });

export const scaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [templatesSubPage],
});
