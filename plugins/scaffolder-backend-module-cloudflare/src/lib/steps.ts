import type { JsonValue } from '@backstage/types';
import { DEPLOY_TAG_PREFIX, type DeployPlan } from './plan';
import {
  claimScript,
  ENTITY_TAG_PREFIX,
  ROUTE_TAG_PREFIX,
  taggedRoute,
} from './ownership';
import { workersDevUrl } from './validation';
import type { WorkerDeployer } from './workerDeployer';

/** The scaffolder's `ctx.checkpoint`: runs `fn` once per key, also across a retried task. */
export type Checkpoint = <T extends JsonValue | void>(options: {
  key: string;
  fn: () => Promise<T> | T;
}) => Promise<T>;

/** What the deploy ended with. */
export interface DeployResult {
  url: string;
  deploymentId?: string;
}

/**
 * Runs a planned deploy against Cloudflare, each side effect in its own checkpoint:
 * claim the script (ownership guard), upload, place (route or workers.dev), remove the route an
 * earlier deploy created when the placement changed, read the deployment id.
 */
export async function runDeploySteps(options: {
  deployer: WorkerDeployer;
  plan: DeployPlan;
  scriptName: string;
  accountId: string;
  entityRef: string;
  takeover: boolean;
  checkpoint: Checkpoint;
  log: (message: string) => void;
}): Promise<DeployResult> {
  const { deployer, plan, scriptName, accountId, entityRef, takeover, log } =
    options;
  const key = (step: string) =>
    `cloudflare-worker-deploy:${accountId}:${scriptName}:${step}`;

  const upload = await options.checkpoint({
    key: key(`upload:${plan.deployTag}`),
    fn: async () => {
      const tags = await deployer.currentTags();
      const claim = claimScript({
        scriptName,
        accountId,
        tags,
        entityRef,
        takeover,
      });
      if (claim === 'takeover') {
        log(
          `Taking over Worker script '${scriptName}', which the portal did not deploy for ${entityRef}`,
        );
      }
      // A route held by another script is refused before anything is written.
      if (plan.placement.type === 'route') {
        await deployer.checkRoute(
          plan.placement.zoneId,
          plan.placement.pattern,
          takeover,
        );
      }
      const previousRoute = tags ? taggedRoute(tags) ?? null : null;
      if (tags?.includes(plan.deployTag)) {
        log(
          `Worker '${scriptName}' already runs this code and configuration; not uploaded again`,
        );
        return { uploaded: false, previousRoute };
      }
      await deployer.upload({
        bundle: plan.bundle,
        compatibilityDate: plan.compatibilityDate,
        bindings: plan.bindings,
        // Tags set by others stay; the portal's own tags are replaced.
        tags: [
          ...(tags ?? []).filter(
            t =>
              !t.startsWith(DEPLOY_TAG_PREFIX) &&
              !t.startsWith(ENTITY_TAG_PREFIX) &&
              !t.startsWith(ROUTE_TAG_PREFIX),
          ),
          ...plan.tags,
        ],
      });
      log(`Uploaded Worker '${scriptName}' to account ${accountId}`);
      return { uploaded: true, previousRoute };
    },
  });

  let url: string;
  const { placement } = plan;
  if (placement.type === 'route') {
    const route = await options.checkpoint({
      key: key(`route:${placement.zoneId}:${placement.pattern}`),
      fn: async () => ({
        ...(await deployer.ensureRoute(
          placement.zoneId,
          placement.pattern,
          takeover,
        )),
      }),
    });
    log(`Route ${placement.pattern} (${route.id}): ${route.change}`);
    url = plan.url!;
  } else {
    const dev = await options.checkpoint({
      key: key('workers-dev'),
      fn: async () => ({ ...(await deployer.enableWorkersDev()) }),
    });
    log(`workers.dev ${dev.changed ? 'enabled' : 'was already enabled'}`);
    url = workersDevUrl(scriptName, dev.accountSubdomain);
  }

  const previous = upload.previousRoute;
  if (
    previous &&
    !(
      placement.type === 'route' &&
      previous.zoneId === placement.zoneId &&
      previous.pattern === placement.pattern
    )
  ) {
    const removed = await options.checkpoint({
      key: key(`remove-route:${previous.zoneId}:${previous.pattern}`),
      fn: () => deployer.removeRoute(previous.zoneId, previous.pattern),
    });
    log(
      `Previous route ${previous.pattern} in zone ${previous.zoneId}: ${removed}`,
    );
  }

  const deploymentId = await deployer.latestDeploymentId();
  log(
    `Worker '${scriptName}' ${
      upload.uploaded ? 'deployed' : 'unchanged'
    }: ${url}${deploymentId ? ` (deployment ${deploymentId})` : ''}`,
  );
  return { url, deploymentId };
}
