import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## The golden path

One form takes a new service from nothing to running, deployed and observed:

- **[Create a service](/create)**: the *Python dashboard service* template generates the app,
  its Dockerfile, an Azure DevOps pipeline with every variable filled in, Kubernetes manifests with
  probes and resources, and the catalog entry. The *Cloudflare image optimizer* template puts the
  image Worker in front of a site.
- **[Find a service](/catalog)**: each service's page shows its pods (Kubernetes tab and the
  pod-health card) and its metrics and logs (Observability tab).
- **[Template upgrades](/template-upgrades)**: which services are behind the template they were
  made from; a dry run shows what each upgrade changes, then each gets its pull request.
- **[Read the docs](/docs)**: the portal's own documentation and every service's TechDocs.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Getting started',
    description: 'What the portal does and where to start',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
