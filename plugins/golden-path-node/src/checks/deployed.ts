import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  PodObject,
  PodProblem,
  summarizePodHealth,
} from '@internal/plugin-kubernetes-common';
import type { CheckResult, GoldenPathTarget } from './types';
import { unavailable } from './types';

/** How the checks read the entity's workloads: the kubernetes backend's answer. @public */
export interface KubernetesReader {
  objectsFor(target: GoldenPathTarget): Promise<ObjectsByEntityResponse>;
  /**
   * The clusters the kubernetes backend knows (`GET /clusters`); none means the deployed check
   * cannot be made, rather than that nothing is deployed.
   */
  clusters?(): Promise<{ name: string }[]>;
}

/** What to change for each kind of problem the shared judgement names. */
const FIXES: Record<PodProblem['kind'], string> = {
  CrashLoopBackOff:
    "Read the container's previous logs (Kubernetes tab): the app exits at start; fix it and push to main.",
  OOMKilled:
    'The container uses more memory than its limit: raise memoryLimit in kubernetes/deployment.yaml or use less.',
  Error:
    "Read the container's logs (Kubernetes tab) for why it exited, fix it and push to main.",
  FailingProbe:
    'The readiness probe fails: the app must answer GET /_stcore/health on its port (docs/contract.md).',
  Pending:
    'The pod cannot be scheduled: lower its requests, or ask for room in the cluster (the message names what is short).',
  Waiting:
    'Check that the image exists in the registry and the cluster may pull it (ImagePullBackOff: the kubelet has no pull secret for it, or the tag was not pushed).',
  RolloutStuck:
    'The new ReplicaSet did not become ready within progressDeadlineSeconds: see the pod problems, fix and push.',
  JobFailed: "Read the Job's pod logs.",
  NodeUnreachable:
    'The pod is on a node that stopped reporting: the cluster replaces it once the node is declared lost; if not, drain the node.',
};

const tagOf = (image: string) => {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest';
};

/**
 * Deployed: the Deployment named after the service is healthy by the same judgement as the
 * pod-health card (`summarizePodHealth`), all its desired pods ready, and, when `imageTag` is
 * given (the pipeline tags the image with the build id), every ready pod runs that tag.
 *
 * @public
 */
export async function checkDeployed(
  target: GoldenPathTarget,
  kubernetes: KubernetesReader | undefined,
  options: { imageTag?: string; now?: Date } = {},
): Promise<CheckResult> {
  const id = 'deployed' as const;
  if (!kubernetes) {
    return unavailable(id, 'the portal has no kubernetes configuration.');
  }
  if (kubernetes.clusters && (await kubernetes.clusters()).length === 0) {
    return unavailable(
      id,
      'no cluster is configured (kubernetes.clusterLocatorMethods; README, Kubernetes).',
    );
  }
  const response = await kubernetes.objectsFor(target);
  return judgeDeployed(target, response, options);
}

/** The judgement of {@link checkDeployed}, on an answer already read. @public */
export function judgeDeployed(
  target: GoldenPathTarget,
  response: ObjectsByEntityResponse,
  options: { imageTag?: string; now?: Date } = {},
): CheckResult {
  const id = 'deployed' as const;
  const summary = summarizePodHealth(response, { now: options.now });
  const evidence = [{ title: `Deployment ${target.app}` }];
  const workloadFound = summary.workloads.find(
    w => w.kind === 'Deployment' && w.name === target.app,
  );
  if (summary.clusterErrors.length && !workloadFound) {
    const e = summary.clusterErrors[0];
    return {
      id,
      state: 'fail',
      summary: `The cluster ${e.cluster} could not be read.`,
      cause: e.message,
      fix: "Check the portal's kubernetes configuration and its service account's read access (README, Kubernetes).",
      evidence,
    };
  }
  const workload = workloadFound;
  if (!workload) {
    return {
      id,
      state: 'fail',
      summary: `No Deployment ${target.app} in namespace ${target.namespace}.`,
      cause:
        'The pipeline has not applied the manifests, or applied them to another namespace or cluster.',
      fix: 'Check the Deploy stage of the pipeline run and its Kubernetes service connection.',
      evidence,
    };
  }
  // The first problem of the shared judgement, as the pod-health card names it first: one verdict
  // and one first cause for both. A stuck rollout is a symptom: the pod problem behind it, when the
  // judgement lists one, is named and its fix given after it.
  const problem = workload.problems[0];
  const behindIt =
    problem?.kind === 'RolloutStuck'
      ? workload.problems.find(p => p.kind !== 'RolloutStuck')
      : undefined;
  const describe = (p: NonNullable<typeof problem>) =>
    `${p.reason}${p.pod ? ` in ${p.pod}` : ''}${
      p.container ? ` (${p.container})` : ''
    }${p.message ? `: ${p.message}` : ''}`;
  const pods = response.items.flatMap(i =>
    i.resources
      .filter(r => r.type === 'pods')
      .flatMap(r => r.resources as unknown as PodObject[]),
  );
  const ready = pods.filter(p =>
    p.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'),
  );
  const behind = options.imageTag
    ? pods.filter(p =>
        (p.spec?.containers ?? []).some(
          c => tagOf(c.image ?? '') !== options.imageTag,
        ),
      )
    : [];
  const atNew = options.imageTag
    ? ready.filter(p => !behind.includes(p)).length
    : workload.ready;
  const counts = `${atNew}/${workload.desired} pods ready${
    options.imageTag ? ` at image tag ${options.imageTag}` : ''
  }`;
  if (
    workload.status === 'healthy' &&
    workload.desired > 0 &&
    atNew >= workload.desired &&
    behind.length === 0
  ) {
    return { id, state: 'pass', summary: `${counts}.`, evidence };
  }
  if (problem) {
    return {
      id,
      state: 'fail',
      summary: `${counts}; ${problem.reason}${
        problem.pod ? ` in ${problem.pod}` : ''
      }.`,
      cause: behindIt
        ? `${describe(problem)} Behind it: ${describe(behindIt)}`
        : describe(problem),
      fix: behindIt
        ? `${FIXES[problem.kind]} ${FIXES[behindIt.kind]}`
        : FIXES[problem.kind],
      evidence,
    };
  }
  return {
    id,
    state: 'fail',
    summary: `${counts}; the rollout is ${workload.status}.`,
    cause:
      behind.length > 0
        ? `${behind.length} pod(s) still run another image: ${behind
            .map(p => p.metadata?.name)
            .join(', ')}.`
        : `${workload.ready} of ${workload.desired} pods are ready.`,
    fix: 'Wait for the rollout; if it does not progress, see the Kubernetes tab.',
    evidence,
  };
}
