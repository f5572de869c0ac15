import { useCallback, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { templateUpgradesApiRef } from '../api/TemplateUpgradesApi';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';
import { currentFromConflict, errorLine, isSelectable } from '../lib/format';

/** What the page knows of one service's dry run and pull request in this visit. @public */
export interface ServiceRun {
  running?: 'dry-run' | 'open';
  dryRun?: UpgradeResult;
  result?: UpgradeResult;
  /** The last call's error, in one line. */
  error?: string;
}

/** @public */
export interface FleetUpgradesState {
  loading: boolean;
  error?: Error;
  /** The services shown: all of them, or those of {@link FleetUpgradesState.template}. */
  services?: ServiceUpgradeStatus[];
  /** The names of the templates the services were made from. */
  templates: string[];
  template?: string;
  /** Shows only the services made from this template (undefined: all). */
  setTemplate(template: string | undefined): void;
  selected: ReadonlySet<string>;
  toggle(entityRef: string): void;
  /** Selects every service that can be selected, or none when all of them are. */
  toggleAll(): void;
  runs: ReadonlyMap<string, ServiceRun>;
  busy: boolean;
  /** Dry-runs every selected service, one after the other. */
  dryRun(): Promise<void>;
  /** The selected services whose dry run succeeded and that have no pull request from this visit yet. */
  ready: string[];
  /** Opens or updates the pull requests of {@link FleetUpgradesState.ready}, then reloads the list. */
  openPullRequests(): Promise<void>;
}

/**
 * The fleet: every service made from a template, the user's selection, and the per-service
 * dry runs and pull requests (one request per service, so one failure names one service).
 *
 * @public
 */
export function useFleetUpgrades(): FleetUpgradesState {
  const api = useApi(templateUpgradesApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listServices(),
    [api],
  );
  const [template, setTemplate] = useState<string>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [runs, setRuns] = useState<ReadonlyMap<string, ServiceRun>>(new Map());
  const [busy, setBusy] = useState(false);

  const templates = useMemo(
    () => [...new Set((value ?? []).map(s => s.template.name))].sort(),
    [value],
  );
  const services = useMemo(
    () =>
      value && template
        ? value.filter(s => s.template.name === template)
        : value,
    [value, template],
  );
  const selectable = useMemo(
    () => (services ?? []).filter(isSelectable).map(s => s.entityRef),
    [services],
  );
  // A selection holds only services shown and that can (still, after a reload) be selected.
  const current = useMemo(
    () => new Set([...selected].filter(ref => selectable.includes(ref))),
    [selected, selectable],
  );

  const update = useCallback((entityRef: string, run: ServiceRun) => {
    setRuns(prev => new Map(prev).set(entityRef, run));
  }, []);

  const toggle = useCallback((entityRef: string) => {
    setSelected(prev => {
      const next = new Set(prev);
      if (next.has(entityRef)) next.delete(entityRef);
      else next.add(entityRef);
      return next;
    });
  }, []);

  const toggleAll = useCallback(() => {
    setSelected(
      current.size === selectable.length ? new Set() : new Set(selectable),
    );
  }, [current, selectable]);

  const run = useCallback(
    async (refs: string[], mode: 'dry-run' | 'open') => {
      setBusy(true);
      try {
        for (const entityRef of refs) {
          const before = runs.get(entityRef) ?? {};
          update(entityRef, { ...before, running: mode, error: undefined });
          try {
            const answer = await api.upgrade(entityRef, {
              dryRun: mode === 'dry-run',
            });
            update(
              entityRef,
              mode === 'dry-run'
                ? { dryRun: answer }
                : { dryRun: before.dryRun, result: answer },
            );
          } catch (e) {
            const upToDate = currentFromConflict(e, entityRef);
            update(
              entityRef,
              upToDate
                ? { dryRun: before.dryRun, result: upToDate }
                : { ...before, running: undefined, error: errorLine(e) },
            );
          }
        }
      } finally {
        setBusy(false);
      }
    },
    [api, runs, update],
  );

  const ready = [...current].filter(ref => {
    const r = runs.get(ref);
    return r?.dryRun?.result === 'dry-run' && !r.result && !r.error;
  });

  const dryRun = useCallback(
    () => run([...current], 'dry-run'),
    [run, current],
  );
  const openPullRequests = useCallback(async () => {
    await run(ready, 'open');
    retry();
  }, [run, ready, retry]);

  return {
    loading,
    error,
    services,
    templates,
    template,
    setTemplate,
    selected: current,
    toggle,
    toggleAll,
    runs,
    busy,
    dryRun,
    ready,
    openPullRequests,
  };
}
