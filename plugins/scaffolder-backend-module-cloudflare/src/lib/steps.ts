import type { JsonValue } from '@backstage/types';
import type { DeployPlan } from './plan';
import {
  checkTags,
  claimScript,
  composeTags,
  identityTags,
  readMarks,
  type RouteMark,
  type WorkerIdentity,
} from './ownership';
import { workersDevUrl } from './validation';
import { SIGNING_KEY_BINDING, type WorkerDeployer } from './workerDeployer';
import { generateSigningKey } from './signingKeys';

/** The scaffolder's `ctx.checkpoint`: runs `fn` once per key, also across a retried task. */
export type Checkpoint = <T extends JsonValue | void>(options: {
  key: string;
  fn: () => Promise<T> | T;
}) => Promise<T>;

/** What the deploy ended with. */
export interface DeployResult {
  url: string;
  deploymentId?: string;
  /** Set when the portal generated a new signing key: where the user sees it, once. */
  signingKeyRevealId?: string;
}

/**
 * Runs a planned deploy against Cloudflare, each side effect in its own checkpoint, in an order
 * that leaves a state the next run finds and finishes whatever step fails:
 *
 * 1. claim: a new name with the create-only call, or an existing script the portal deployed for
 *    the same entity, uid and owner; routes and tags are checked before anything is written;
 * 2. upload, unless the version serving traffic already carries this deploy's tag;
 * 3. place: the route (or workers.dev);
 * 4. mark the route, now that it exists (`backstage-route=<zone>/<route id>`);
 * 5. remove the routes earlier deploys marked that are no longer wanted, then their marks.
 */
export async function runDeploySteps(options: {
  deployer: WorkerDeployer;
  plan: DeployPlan;
  scriptName: string;
  accountId: string;
  identity: WorkerIdentity;
  takeover: boolean;
  /** On a route: leave the script's workers.dev URL on (it is turned off otherwise). */
  keepWorkersDev?: boolean;
  /** Generate a new signing key even when the Worker has one. */
  rotateSigningKey: boolean;
  /** Seals a generated key for the user; returns the reveal id. */
  sealSigningKey: (key: string) => Promise<string>;
  /** Hears about each secret the steps create, to keep it out of logs and errors. */
  hide: (secret: string) => void;
  checkpoint: Checkpoint;
  log: (message: string) => void;
}): Promise<DeployResult> {
  const { deployer, plan, scriptName, accountId, identity, takeover, log } =
    options;
  const key = (step: string) =>
    `cloudflare-worker-deploy:${accountId}:${scriptName}:${step}`;
  const { placement } = plan;

  // The derivative store's bucket, where the binding will look, before anything is written.
  if (plan.derivatives) {
    const { bucketName, jurisdiction } = plan.derivatives;
    const found = await deployer.checkBucket(bucketName, jurisdiction);
    if (found === 'found') {
      log(
        `R2 bucket ${bucketName} found in ${
          jurisdiction
            ? `jurisdiction ${jurisdiction}`
            : 'the default jurisdiction'
        }`,
      );
    }
  }

  const claim = await options.checkpoint({
    key: key(`claim:${identity.uid}`),
    fn: async () => {
      let tags = await deployer.currentTags();
      if (tags === undefined) {
        checkTags(identityTags(identity), scriptName);
        if (placement.type === 'route') {
          await deployer.checkRoute(
            placement.zoneId,
            placement.pattern,
            takeover,
          );
        }
        const created = await deployer.createScript(identityTags(identity));
        if (created === 'created') {
          log(
            `Claimed the name '${scriptName}' in account ${accountId} for ${identity.entityRef} (owner ${identity.owner})`,
          );
          return { tags: identityTags(identity) };
        }
        // Another task created it between the read and the claim: judge it by its tags.
        tags = (await deployer.currentTags()) ?? [];
      }
      const verdict = claimScript({
        scriptName,
        accountId,
        tags,
        identity,
        takeover,
      });
      if (verdict === 'takeover') {
        log(
          `Taking over Worker script '${scriptName}' for ${identity.entityRef} (owner ${identity.owner})`,
        );
      }
      if (placement.type === 'route') {
        await deployer.checkRoute(
          placement.zoneId,
          placement.pattern,
          takeover,
        );
      }
      return { tags };
    },
  });

  const marks = readMarks(claim.tags);
  // One more mark may be needed while a route moves: the new one next to the old one.
  checkTags(
    composeTags(marks.foreign, identity, [
      ...marks.routes,
      ...(placement.type === 'route'
        ? [{ zoneId: placement.zoneId, routeId: '0'.repeat(32) }]
        : []),
    ]),
    scriptName,
  );

  const upload = await options.checkpoint({
    key: key(`upload:${plan.deployTag}`),
    fn: async () => {
      const active = await deployer.activeVersion();
      const hasKey = active?.secretNames.includes(SIGNING_KEY_BINDING) ?? false;
      const newKey = plan.signUrls && (!hasKey || options.rotateSigningKey);
      if (
        active &&
        !active.split &&
        active.tag === plan.deployTag &&
        !newKey &&
        hasKey === plan.signUrls
      ) {
        log(
          `Worker '${scriptName}' already runs this code and configuration (version ${active.versionId}); not uploaded again`,
        );
        return { uploaded: false, signingKeyRevealId: null };
      }
      if (active && active.tag !== plan.deployTag) {
        log(
          active.tag
            ? `The version serving traffic (${active.versionId}) was deployed with other settings`
            : `The version serving traffic (${active.versionId}) was not deployed by the portal (e.g. wrangler or the dashboard); deploying the portal's`,
        );
      }
      const signingKey = newKey ? generateSigningKey() : undefined;
      if (signingKey) {
        options.hide(signingKey);
      }
      await deployer.upload({
        bundle: plan.bundle,
        compatibilityDate: plan.compatibilityDate,
        bindings: [
          ...plan.bindings,
          ...(signingKey
            ? [
                {
                  type: 'secret_text' as const,
                  name: SIGNING_KEY_BINDING,
                  text: signingKey,
                },
              ]
            : []),
        ],
        tags: composeTags(marks.foreign, identity, marks.routes),
        versionTag: plan.deployTag,
        limits: plan.limits,
        // Signing stays on with the key the Worker has; turning it off drops the key.
        keepSecrets: plan.signUrls && !signingKey,
      });
      log(`Uploaded Worker '${scriptName}' to account ${accountId}`);
      if (!signingKey) {
        return { uploaded: true, signingKeyRevealId: null };
      }
      log(
        `Generated a new ${SIGNING_KEY_BINDING} and stored it only as the Worker's secret; it is shown once through the task's "Signing key" link`,
      );
      return {
        uploaded: true,
        signingKeyRevealId: await options.sealSigningKey(signingKey),
      };
    },
  });

  let url: string;
  let keep: RouteMark | undefined;
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
    keep = { zoneId: placement.zoneId, routeId: route.id };
    const mark = keep;
    // Written only now that the route exists; the old marks stay until their routes are gone.
    await options.checkpoint({
      key: key(`mark:${mark.zoneId}:${mark.routeId}`),
      fn: async () => {
        const current = readMarks((await deployer.currentTags()) ?? []);
        if (
          !current.routes.some(
            r => r.zoneId === mark.zoneId && r.routeId === mark.routeId,
          )
        ) {
          const tags = composeTags(current.foreign, identity, [
            ...current.routes,
            mark,
          ]);
          checkTags(tags, scriptName);
          await deployer.setTags(tags);
        }
      },
    });
    url = plan.url!;
    // The Worker now answers on the route: its workers.dev URL would keep serving the same
    // configuration outside the zone (and the cloudflare engine does not work there).
    if (options.keepWorkersDev) {
      log('workers.dev left as it is (keepWorkersDev)');
    } else {
      const off = await options.checkpoint({
        key: key('workers-dev-off'),
        fn: async () => ({ ...(await deployer.disableWorkersDev()) }),
      });
      log(
        off.changed
          ? `workers.dev turned off for '${scriptName}': it answers only on ${placement.pattern} now (keepWorkersDev keeps it on)`
          : 'workers.dev is off',
      );
    }
  } else {
    const dev = await options.checkpoint({
      key: key('workers-dev'),
      fn: async () => ({ ...(await deployer.enableWorkersDev()) }),
    });
    log(`workers.dev ${dev.changed ? 'enabled' : 'was already enabled'}`);
    url = workersDevUrl(scriptName, dev.accountSubdomain);
  }

  // Routes earlier deploys marked, other than the one this deploy uses: removed when they still
  // serve this script, then unmarked. Read again, so that a run that failed here is finished.
  const current = readMarks((await deployer.currentTags()) ?? []);
  const stale = current.routes.filter(
    r => !(keep && r.zoneId === keep.zoneId && r.routeId === keep.routeId),
  );
  if (stale.length > 0) {
    for (const route of stale) {
      const removed = await deployer.removeRoute(route.zoneId, route.routeId);
      log(
        `Previous route ${removed.pattern ?? route.routeId} in zone ${
          route.zoneId
        }: ${removed.result}`,
      );
    }
    await deployer.setTags(
      composeTags(current.foreign, identity, keep ? [keep] : []),
    );
  }

  const active = await deployer.activeVersion();
  log(
    `Worker '${scriptName}' ${
      upload.uploaded ? 'deployed' : 'unchanged'
    }: ${url}${active ? ` (deployment ${active.deploymentId})` : ''}`,
  );
  return {
    url,
    deploymentId: active?.deploymentId,
    signingKeyRevealId: upload.signingKeyRevealId ?? undefined,
  };
}
