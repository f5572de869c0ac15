/*
 * The portal's backend: wiring only. Feature code lives in plugins/*.
 */

import { createBackend } from '@backstage/backend-defaults';
import { localGitUrlReaderFactory } from '@internal/plugin-local-git-node';
import { runPreflightChecks } from './preflight';

const backend = createBackend();

// The catalog and TechDocs read repositories of the local git server (localGit in app-config.yaml;
// nothing when it is not configured, as in production).
backend.add(localGitUrlReaderFactory);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-azure'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@internal/plugin-scaffolder-backend-module-cloudflare'));
// publish:local-git and the repository hosts the form offers (plugins/scaffolder-backend-module-local-git).
backend.add(import('@internal/plugin-scaffolder-backend-module-local-git'));
// Creates, authorizes and starts a new service's Azure pipeline (docs/azure-devops.md).
backend.add(import('@internal/plugin-scaffolder-backend-module-azure-devops'));
backend.add(import('@internal/plugin-scaffolder-backend-module-grafana'));
// portal:catalog:register: templates register the repository they published (only admins may
// register locations themselves).
backend.add(
  import('@internal/plugin-scaffolder-backend-module-portal-catalog'),
);
// golden-path:verify: the create task follows the first run through to a service that runs and
// is observed (plugins/scaffolder-backend-module-golden-path).
backend.add(import('@internal/plugin-scaffolder-backend-module-golden-path'));

// techdocs plugin
backend.add(import('@backstage/plugin-techdocs-backend'));

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Production sign-in (app-config.production.yaml: auth.providers.github); inactive without it.
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
// See https://backstage.io/docs/auth/guest/provider
// Only active when auth.providers.microsoft is configured (app-config.microsoft.yaml): hands out
// the signed-in user's Azure DevOps token to the scaffolder form (docs/azure-devops.md).
backend.add(import('@backstage/plugin-auth-backend-module-microsoft-provider'));

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin
backend.add(import('@backstage/plugin-permission-backend'));
// Who may run which template and action, and unregister which entity: permission.portalPolicy
backend.add(import('@internal/plugin-permission-backend-module-portal-policy'));

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// search engine
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-pg'));
// Without PostgreSQL: Lunr, answering a type with nothing indexed yet (TechDocs before a first
// build) with no results instead of a 500.
backend.add(import('@internal/plugin-search-backend-module-local-engine'));

// search collators
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

// kubernetes plugin
backend.add(import('@backstage/plugin-kubernetes-backend'));

// The Golden path card's checks, read-only, per catalog entity (plugins/golden-path-backend).
backend.add(import('@internal/plugin-golden-path-backend'));
// Template upgrades as pull requests, per service and for the fleet (plugins/template-upgrades-backend).
backend.add(import('@internal/plugin-template-upgrades-backend'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// mcp actions plugin
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// A backend that cannot start exits (rather than idling half-started) so that the process
// manager or orchestrator sees the failure.
runPreflightChecks()
  .then(problem => {
    if (problem) throw new Error(problem);
    return backend.start();
  })
  .catch(error => {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
