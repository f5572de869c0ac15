import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { signInPage } from './SignIn';

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
