import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import type { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  kubernetesApiRef,
  kubernetesProxyApiRef,
  useKubernetesObjects,
} from '@backstage/plugin-kubernetes-react';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import type { EventObject } from '@internal/plugin-kubernetes-common';
import {
  PodEvents,
  PodHealthSummary,
  podKey,
  podsNeedingEvents,
  summarizePodHealth,
} from '@internal/plugin-kubernetes-common';

/** How often the card refreshes, like the Kubernetes tab does. */
const REFRESH_MS = 30_000;
/** Events are extra detail: read them for at most this many unhealthy pods. */
const MAX_EVENT_LOOKUPS = 5;

/** @public */
export interface PodHealthState {
  loading: boolean;
  /** The whole request failed (the kubernetes backend is down or refused it). */
  error?: string;
  summary?: PodHealthSummary;
  /** The portal has no Kubernetes cluster configured: no pods says nothing about the service. */
  noClusters?: boolean;
}

/**
 * Reads the entity's workloads through the same API and request as the Kubernetes tab, plus the
 * events of pods that need attention (probe failures only show there).
 */
export function usePodHealth(entity: Entity): PodHealthState {
  const { kubernetesObjects, loading, error } = useKubernetesObjects(
    entity,
    REFRESH_MS,
  );
  const proxyApi = useApi(kubernetesProxyApiRef);
  const kubernetesApi = useApi(kubernetesApiRef);
  // The clusters the kubernetes backend knows (GET /api/kubernetes/clusters); when it cannot say,
  // the card keeps to what the objects show.
  const { value: clusters } = useAsync(
    () => kubernetesApi.getClusters().catch(() => undefined),
    [kubernetesApi],
  );

  const { value: events } = useAsync(async () => {
    if (!kubernetesObjects) return {};
    const lookups = podsNeedingEvents(kubernetesObjects).slice(
      0,
      MAX_EVENT_LOOKUPS,
    );
    const byPod: PodEvents = {};
    await Promise.all(
      lookups.map(async ref => {
        const { cluster, namespace, pod } = ref;
        try {
          byPod[podKey(ref)] = (await proxyApi.getEventsByInvolvedObjectName({
            clusterName: cluster,
            namespace,
            involvedObjectName: pod,
          })) as unknown as EventObject[];
        } catch {
          // Without events the card still shows each pod's status; only the probe's own
          // message is missing.
        }
      }),
    );
    return byPod;
  }, [kubernetesObjects, proxyApi]);

  const summary = useMemo(
    () =>
      kubernetesObjects
        ? summarizePodHealth(kubernetesObjects as ObjectsByEntityResponse, {
            events,
          })
        : undefined,
    [kubernetesObjects, events],
  );

  return { loading, error, summary, noClusters: clusters?.length === 0 };
}
