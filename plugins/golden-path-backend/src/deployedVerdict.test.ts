import request from 'supertest';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { summarizePodHealth } from '@internal/plugin-kubernetes-common';
import {
  kubernetesStandInScenarios,
  startKubernetesStandIn,
} from '@internal/plugin-kubernetes-common/testing';
import {
  KUBERNETES_TOKEN,
  kubernetesConfig,
  salesDashboard,
  startBackend,
} from './__testUtils__/backend';
import type { GoldenPathReport } from './service/GoldenPathService';

/*
 * One verdict for "deployed": the same pods, read through the real kubernetes backend from the
 * API stand-in, go to the pod-health card's judgement (summarizePodHealth over the answer of
 * POST /api/kubernetes/services/:name, as the card reads it) and to the Golden path card's
 * deployed check; both must say the same.
 */

jest.setTimeout(60_000);

describe.each(kubernetesStandInScenarios)(
  'the %s recording, judged by both cards',
  scenario => {
    it('gives the deployed check the verdict and the first problem of the pod-health card', async () => {
      const cluster = await startKubernetesStandIn({
        scenario,
        token: KUBERNETES_TOKEN,
      });
      const backend = await startBackend({
        config: { kubernetes: kubernetesConfig(cluster.url) },
      });
      try {
        const objects: ObjectsByEntityResponse = (
          await request(backend.server)
            .post('/api/kubernetes/services/sales-dashboard')
            .send({ entity: salesDashboard, auth: {} })
            .expect(200)
        ).body;
        const report: GoldenPathReport = (
          await request(backend.server)
            .post(
              '/api/golden-path/entities/component/default/sales-dashboard/checks',
            )
            .expect(200)
        ).body;
        const deployed = report.checks.find(c => c.id === 'deployed')!;
        const card = summarizePodHealth(objects, {
          now: new Date(report.checkedAt),
        });
        const workload = card.workloads.find(
          w => w.kind === 'Deployment' && w.name === 'sales-dashboard',
        )!;
        expect(workload).toBeDefined();

        const cardSaysHealthy =
          workload.status === 'healthy' &&
          workload.desired > 0 &&
          workload.ready >= workload.desired;
        expect(deployed.state).toBe(cardSaysHealthy ? 'pass' : 'fail');
        // The card's first problem, in the check's cause.
        const problem = workload.problems[0];
        const shown = problem ? [problem.reason, problem.message ?? ''] : [];
        for (const part of shown) {
          expect(deployed.cause).toContain(part);
        }
        expect(deployed.summary).toContain(
          `${workload.ready}/${workload.desired} pods ready`,
        );
      } finally {
        await backend.stop();
        await cluster.stop();
      }
    });
  },
);
