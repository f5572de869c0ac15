import { useEffect, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { observabilityApiRef } from '../api/ObservabilityApi';
import { ActiveAlert, alertsOf } from '../lib/alerts';
import { resolveService } from '../lib/annotations';

/** How often the card asks for alerts again. */
export const DEFAULT_ALERTS_POLL_MS = 30_000;

/**
 * Everything the alerts card can show.
 *
 * @public
 */
export type EntityAlertsState =
  | { status: 'not-configured' }
  | { status: 'missing-annotations'; missing: string[] }
  | { status: 'invalid-annotations'; problems: string[] }
  | { status: 'loading' }
  | { status: 'error'; error: Error }
  | { status: 'ready'; alerts: ActiveAlert[] };

/**
 * The entity's pending and firing alerts, asked for again every `pollMs`. An error on a later
 * poll keeps the last list shown rather than blanking the card.
 *
 * @public
 */
export function useEntityAlerts(
  entity: Entity,
  pollMs: number = DEFAULT_ALERTS_POLL_MS,
): EntityAlertsState {
  const api = useApi(observabilityApiRef);
  const configured = Boolean(api.getSettings().alertsProxyPath);
  const service = useMemo(() => resolveService(entity), [entity]);
  const [last, setLast] = useState<ActiveAlert[]>();

  const { namespace, app } =
    service.type === 'ok' ? service : { namespace: '', app: '' };
  const state = useAsyncRetry(async () => {
    if (!configured || !app) {
      return undefined;
    }
    const alerts = alertsOf(await api.getAlerts(), { namespace, app });
    setLast(alerts);
    return alerts;
  }, [api, configured, namespace, app]);

  const { retry, loading } = state;
  useEffect(() => {
    if (!configured || !app || loading) {
      return undefined;
    }
    const timer = setTimeout(retry, pollMs);
    return () => clearTimeout(timer);
  }, [configured, app, loading, retry, pollMs]);

  if (service.type !== 'ok') {
    return service.type === 'missing-annotations'
      ? { status: 'missing-annotations', missing: service.missing }
      : { status: 'invalid-annotations', problems: service.problems };
  }
  if (!configured) {
    return { status: 'not-configured' };
  }
  if (state.error && !last) {
    return { status: 'error', error: state.error };
  }
  const alerts = state.value ?? last;
  return alerts ? { status: 'ready', alerts } : { status: 'loading' };
}
