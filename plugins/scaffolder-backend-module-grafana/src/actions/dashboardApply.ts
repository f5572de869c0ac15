import type { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  endUnconfigured,
  readUnconfiguredServices,
} from '@internal/plugin-scaffolder-portal-node';
import { NOT_CONFIGURED, readGrafanaConnection } from '../lib/config';
import { GrafanaConnection } from '../lib/grafanaApi';
import { ProvisioningResult, provisionEntity } from '../lib/provision';
import { checkTarget, dashboardFor, folderFor } from '../lib/resources';
import { examples } from './dashboardApply.examples';

/** The action's id. */
export const DASHBOARD_APPLY_ACTION_ID = 'grafana:dashboard:apply';

/** Options of {@link createGrafanaDashboardApplyAction}. @public */
export interface GrafanaDashboardApplyActionOptions {
  /**
   * Root config; `grafanaProvisioning` says where Grafana is, `goldenPath.unconfiguredServices`
   * whether a task without it skips the step or fails.
   */
  config: Config;
}

/**
 * Creates `grafana:dashboard:apply`: puts a service's dashboard and alert rules into Grafana, in a
 * folder of its owner, with uids derived from the entity ref.
 * @public
 */
export function createGrafanaDashboardApplyAction(
  options: GrafanaDashboardApplyActionOptions,
) {
  // Read once, at start-up, so a broken setting stops the backend rather than a task.
  const connection: GrafanaConnection | undefined = readGrafanaConnection(
    options.config,
  );
  const unconfigured = readUnconfiguredServices(options.config);
  return createTemplateAction({
    id: DASHBOARD_APPLY_ACTION_ID,
    description:
      "Puts the service overview dashboard and the alert rules of one service into Grafana, in its owner's folder, with uids derived from the entity ref. Re-running changes nothing; objects the portal did not create are never overwritten.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'Full ref of the service entity, e.g. component:default/sales-dashboard (the catalog:register step outputs it)',
            ),
        owner: z =>
          z
            .string()
            .describe(
              'Full ref of the owning group or user; the dashboard goes into a Grafana folder named after it, e.g. group:default/platform-team',
            ),
        namespace: z =>
          z
            .string()
            .describe(
              'Kubernetes namespace of the pods (backstage.io/kubernetes-namespace)',
            ),
        app: z =>
          z
            .string()
            .describe(
              "The pods' app.kubernetes.io/name label (backstage.io/kubernetes-id)",
            ),
        templateVersion: z =>
          z
            .string()
            .optional()
            .describe(
              "The service template version the service's code is at (portal.golden-path/template-version): only that version's panels and rules are provisioned. Leave it out when the service is created from the current template",
            ),
      },
      output: {
        dashboardUrl: z =>
          z.string().describe('URL of the service dashboard in Grafana'),
        dashboardUid: z => z.string().describe('Uid of the dashboard'),
        folderUid: z => z.string().describe("Uid of the owner's folder"),
        changes: z =>
          z
            .array(z.string())
            .describe(
              'What was created or updated, e.g. "dashboard portal-… created"; empty when all was up to date',
            ),
      },
    },
    async handler(ctx) {
      const target = {
        entityRef: ctx.input.entityRef,
        ownerRef: ctx.input.owner,
        namespace: ctx.input.namespace,
        app: ctx.input.app,
        templateVersion: ctx.input.templateVersion,
      };
      checkTarget(target);
      const dashboard = dashboardFor(target);
      const folder = folderFor(target);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would put dashboard ${dashboard.uid} ("${dashboard.title}") and its alert rules into folder "${folder.title}" (${folder.uid})`,
        );
        ctx.output(
          'dashboardUrl',
          `${connection?.url ?? ''}/d/${dashboard.uid}`,
        );
        ctx.output('dashboardUid', dashboard.uid);
        ctx.output('folderUid', folder.uid);
        ctx.output('changes', []);
        return;
      }
      if (!connection) {
        // A portal without Grafana (a local run) still creates services where skipping is
        // allowed; the command provision-all catches up once Grafana is configured.
        endUnconfigured(unconfigured, ctx.logger, NOT_CONFIGURED);
        ctx.output('dashboardUrl', '');
        ctx.output('dashboardUid', dashboard.uid);
        ctx.output('folderUid', folder.uid);
        ctx.output('changes', []);
        return;
      }

      // A retried task reuses the result instead of calling Grafana again.
      const result: ProvisioningResult = await ctx.checkpoint({
        key: `grafana-dashboard-apply-${dashboard.uid}`,
        fn: async () =>
          JSON.parse(
            JSON.stringify(await provisionEntity({ connection, target })),
          ),
      });

      const changes = [
        { kind: 'folder', ...result.folder },
        { kind: 'dashboard', ...result.dashboard },
        ...result.alertRules.map(r => ({
          kind: `alert rule ${r.title}`,
          ...r,
        })),
      ]
        .filter(item => item.change !== 'unchanged')
        .map(item => `${item.kind} ${item.uid} ${item.change}`);
      ctx.logger.info(
        changes.length > 0
          ? `Grafana: ${changes.join('; ')}`
          : 'Grafana: dashboard, folder and alert rules were already up to date',
      );
      ctx.output('dashboardUrl', result.dashboard.url);
      ctx.output('dashboardUid', result.dashboard.uid);
      ctx.output('folderUid', result.folder.uid);
      ctx.output('changes', changes);
    },
  });
}
