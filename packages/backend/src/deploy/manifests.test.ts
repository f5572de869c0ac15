import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ConfigMap,
  Namespace,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import {
  manifest,
  readManifests,
  readMeasuredFigures,
  readRepoFile,
  readYamlDocuments,
} from './files';

// The schema of every kind the manifests may use; an unknown kind fails, so nothing goes unchecked.
const models: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

const HEALTH = /^\/\.backstage\/health\/v1\/(readiness|liveness)$/;

/** Kubernetes quantities as MiB and millicores. */
const mebibytes = (q: string) => {
  const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(q) ?? [];
  if (!n) throw new Error(`memory quantity ${q}: use Mi or Gi`);
  return Number(n) * (unit === 'Gi' ? 1024 : 1);
};
const millicores = (q: string) =>
  q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;

const deployment = manifest('Deployment', 'golden-path-portal');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const podLabels = pod.metadata.labels;

describe('the Kubernetes manifests (deploy/kubernetes)', () => {
  it.each(readManifests().map(m => [m.file, m.object.kind, m.object]))(
    '%s: %s is valid against the Kubernetes schema',
    (_file, _kind, object) => {
      const Model = models[`${object.apiVersion}/${object.kind}`];
      if (!Model) {
        throw new Error(
          `no schema known for ${object.apiVersion}/${object.kind}; add it to the test`,
        );
      }
      expect(() => new Model(object).validate()).not.toThrow();
    },
  );

  it('rejects an invalid object (the schema check is live)', () => {
    const broken = structuredClone(deployment);
    broken.spec.replicas = 'three';
    expect(() => new Deployment(broken).validate()).toThrow(/replicas/);
  });

  it('runs three replicas spread over zones and nodes', () => {
    expect(deployment.spec.replicas).toBe(3);
    const keys = pod.spec.topologySpreadConstraints.map((c: any) => {
      expect(c.labelSelector.matchLabels).toEqual(
        deployment.spec.selector.matchLabels,
      );
      return c.topologyKey;
    });
    expect(keys).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  it('probes start-up, readiness and liveness on the backend health endpoints', () => {
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet.path).toMatch(HEALTH);
      expect(container[probe].httpGet.port).toBe(container.ports[0].name);
    }
    expect(container.readinessProbe.httpGet.path).toMatch(/readiness$/);
    expect(container.livenessProbe.httpGet.path).toMatch(/liveness$/);
  });

  it("sizes requests, limits and the start-up budget from the image's measured figures", () => {
    const measured = readMeasuredFigures();
    // yarn bench:image --record: the built image's entry point, not the development loader.
    expect(measured.measuredFrom).toBe('image');
    expect(measured.readyResidentMb).toBeLessThanOrEqual(
      Math.max(...Object.values(measured.replicas).map(s => s.residentMb)),
    );
    const scenarios = Object.values(measured.replicas);
    const one = measured.replicas['1'];
    const residentMb = Math.max(...scenarios.map(s => s.residentMb));
    const readyMs = Math.max(...scenarios.map(s => s.readyMs));
    const { requests, limits } = container.resources;
    // Memory: the request covers the highest resident memory of a replica under load, the limit
    // leaves half as much again for spikes (a scaffolder task, a large catalog refresh).
    expect(mebibytes(requests.memory)).toBeGreaterThanOrEqual(residentMb);
    expect(mebibytes(requests.memory)).toBeLessThan(residentMb * 1.25);
    expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(
      Math.ceil(residentMb * 1.5),
    );
    // CPU: the request is what one replica used serving 20 users, so the autoscaler's target is
    // a share of that load; the limit allows bursts to twice that.
    expect(millicores(requests.cpu)).toBeGreaterThanOrEqual(one.cpuCores * 900);
    expect(millicores(requests.cpu)).toBeLessThanOrEqual(one.cpuCores * 1250);
    expect(millicores(limits.cpu)).toBe(2 * millicores(requests.cpu));
    // Start-up: three times the measured time to readiness before the pod is restarted.
    const budgetMs =
      container.startupProbe.periodSeconds *
      container.startupProbe.failureThreshold *
      1000;
    expect(budgetMs).toBeGreaterThanOrEqual(3 * readyMs);
  });

  it('runs as a non-root user with a read-only root filesystem and no capabilities', () => {
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toContainEqual({
      name: 'tmp',
      mountPath: '/tmp',
    });
  });

  it('keeps every replica count and selector in agreement', () => {
    const hpa = manifest('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    const pdb = manifest('PodDisruptionBudget');
    expect(pdb.spec.selector).toEqual(deployment.spec.selector);
    expect(pdb.spec.maxUnavailable).toBe(1);
    const service = manifest('Service', 'golden-path-portal');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    for (const [key, value] of Object.entries(service.spec.selector)) {
      expect(podLabels[key]).toBe(value);
    }
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
  });

  it("labels the pods with the portal's catalog entity, as the contract asks", () => {
    const component = readYamlDocuments('catalog-info.yaml').find(
      e => e.kind === 'Component',
    );
    expect(podLabels['app.kubernetes.io/name']).toBe(component.metadata.name);
    expect(podLabels['backstage.io/kubernetes-id']).toBe(
      component.metadata.name,
    );
  });

  it('holds exactly the service account and read-only RBAC that README.md lists', () => {
    const readme = readRepoFile('README.md');
    const block = /Apply this once per cluster:\n\n```yaml\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(block).toBeDefined();
    const listed = parseAllDocuments(block!).map(d => d.toJS());
    expect(readYamlDocuments('deploy/kubernetes/rbac.yaml')).toEqual(listed);
    const role = manifest('ClusterRole');
    for (const rule of role.rules) {
      expect(
        rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v)),
      ).toBe(true);
      expect(rule.resources).not.toContain('secrets');
      expect(rule.resources).not.toContain('pods/exec');
    }
    expect(pod.spec.serviceAccountName).toBe(
      manifest('ServiceAccount').metadata.name,
    );
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });

  it('keeps secrets out of the ConfigMap', () => {
    const data = manifest('ConfigMap').data;
    for (const key of Object.keys(data)) {
      expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN/);
    }
  });
});
