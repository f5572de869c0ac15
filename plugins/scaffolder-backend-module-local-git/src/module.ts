import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderTemplatingExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import { readLocalGitConfig } from '@internal/plugin-local-git-node';
import { createPublishLocalGitAction } from './actions/publishLocalGit';
import { parseRepoUrlWithLocalGit } from './lib/parseRepoUrlFilter';
import { createRepositoryHostsRouter } from './lib/router';

/**
 * Adds `publish:local-git` (only when `localGit` is configured), the template global
 * `localGitHost` (the local git server's host, or null), `parseRepoUrl` that also knows that host,
 * and `GET /repository-hosts` for the form's repository picker.
 *
 * @public
 */
export const scaffolderModuleLocalGit = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'local-git',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        templating: scaffolderTemplatingExtensionPoint,
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
      },
      async init({
        scaffolder,
        templating,
        config,
        httpRouter,
        httpAuth,
        logger,
      }) {
        const local = readLocalGitConfig(config);
        const integrations = ScmIntegrations.fromConfig(config);
        templating.addTemplateGlobals({ localGitHost: local?.host ?? null });
        // The built-in parseRepoUrl, which also knows the local git server's host.
        templating.addTemplateFilters({
          parseRepoUrl: url =>
            parseRepoUrlWithLocalGit(String(url), integrations, local),
        });
        httpRouter.use(createRepositoryHostsRouter({ config, httpAuth }));
        if (!local) {
          return;
        }
        if (!local.token) {
          logger.warn(
            'localGit.token is empty: publish:local-git will refuse to create repositories; ./scripts/start.sh sets LOCAL_GIT_TOKEN',
          );
        }
        scaffolder.addActions(
          createPublishLocalGitAction({
            local,
            author: {
              name: config.getOptionalString('scaffolder.defaultAuthor.name'),
              email: config.getOptionalString('scaffolder.defaultAuthor.email'),
            },
            commitMessage: config.getOptionalString(
              'scaffolder.defaultCommitMessage',
            ),
          }),
        );
      },
    });
  },
});
