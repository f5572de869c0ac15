import { useCallback, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { templateUpgradesApiRef } from '../api/TemplateUpgradesApi';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';
import { currentFromConflict } from '../lib/format';

/** @public */
export interface ServiceUpgradeState {
  loading: boolean;
  error?: Error;
  status?: ServiceUpgradeStatus;
  /** Opens (or updates) the service's upgrade pull request. */
  open(): void;
  opening: boolean;
  result?: UpgradeResult;
  openError?: unknown;
}

/** One service's template version and upgrade pull request, and a way to open one. @public */
export function useServiceUpgrade(entityRef: string): ServiceUpgradeState {
  const api = useApi(templateUpgradesApiRef);
  const [opening, setOpening] = useState(false);
  const [result, setResult] = useState<UpgradeResult>();
  const [openError, setOpenError] = useState<unknown>();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getService(entityRef),
    [api, entityRef],
  );
  const open = useCallback(() => {
    setOpening(true);
    setOpenError(undefined);
    api
      .upgrade(entityRef, { dryRun: false })
      .then(
        r => {
          setResult(r);
          // The service's status now names the pull request.
          retry();
        },
        e => {
          const current = currentFromConflict(e, entityRef);
          if (current) {
            setResult(current);
            retry();
          } else {
            setOpenError(e);
          }
        },
      )
      .finally(() => setOpening(false));
  }, [api, entityRef, retry]);
  return {
    loading,
    error,
    status: value,
    open,
    opening,
    result,
    openError,
  };
}
