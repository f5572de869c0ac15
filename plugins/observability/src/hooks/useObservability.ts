import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { observabilityApiRef } from '../api/ObservabilityApi';
import { ObservabilityTarget, resolveTarget } from '../lib/annotations';
import { GrafanaInstance } from '../lib/config';

/**
 * Everything the Observability views can show for one entity.
 *
 * @public
 */
export type ObservabilityState =
  | { status: 'loading' }
  | { status: 'missing-annotations'; missing: string[] }
  | { status: 'invalid-annotations'; problems: string[] }
  | { status: 'no-instance'; requested?: string }
  | { status: 'unreachable'; instance: GrafanaInstance; error: Error }
  | { status: 'dashboard-missing'; target: ObservabilityTarget }
  | { status: 'error'; error: Error }
  | { status: 'ready'; target: ObservabilityTarget; dashboardTitle: string };

/**
 * Resolves the entity's annotations against config, then checks through the proxy that Grafana
 * is up and has the dashboard.
 *
 * @public
 */
export function useObservability(entity: Entity): ObservabilityState {
  const api = useApi(observabilityApiRef);
  const resolution = useMemo(
    () => resolveTarget(entity, api.getSettings()),
    [api, entity],
  );
  const target = resolution.type === 'ok' ? resolution.target : undefined;

  const checked = useAsync(async (): Promise<
    ObservabilityState | undefined
  > => {
    if (!target) {
      return undefined;
    }
    try {
      await api.getHealth(target.instance);
    } catch (error) {
      return {
        status: 'unreachable',
        instance: target.instance,
        error: error as Error,
      };
    }
    const dashboard = await api.getDashboard(
      target.instance,
      target.dashboardUid,
    );
    if (!dashboard) {
      return { status: 'dashboard-missing', target };
    }
    return { status: 'ready', target, dashboardTitle: dashboard.title };
  }, [api, target]);

  switch (resolution.type) {
    case 'missing-annotations':
      return { status: 'missing-annotations', missing: resolution.missing };
    case 'invalid-annotations':
      return { status: 'invalid-annotations', problems: resolution.problems };
    case 'no-instance':
      return { status: 'no-instance', requested: resolution.requested };
    default:
      break;
  }
  if (checked.error) {
    return { status: 'error', error: checked.error };
  }
  if (checked.loading || !checked.value) {
    return { status: 'loading' };
  }
  return checked.value;
}
