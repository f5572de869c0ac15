import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import observabilityPlugin from '@internal/plugin-observability/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { kubernetesModule } from './modules/kubernetes';
import { pageLayoutModule } from './modules/pageLayout';
import { scaffolderModule } from './modules/scaffolder';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [
    catalogPlugin,
    navModule,
    homeModule,
    kubernetesModule,
    pageLayoutModule,
    scaffolderModule,
    signInModule,
    observabilityPlugin,
  ],
});
