import { useCallback, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { goldenPathApiRef, GoldenPathReport } from '../api/GoldenPathApi';

/** @public */
export interface GoldenPathState {
  loading: boolean;
  error?: Error;
  report?: GoldenPathReport;
  /** Runs the checks now ("Check now"). */
  checkNow(): void;
  checking: boolean;
}

/** The entity's checks, and a way to run them again now. @public */
export function useGoldenPath(entity: Entity): GoldenPathState {
  const api = useApi(goldenPathApiRef);
  const entityRef = stringifyEntityRef(entity);
  const [fresh, setFresh] = useState<GoldenPathReport>();
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<Error>();
  const { value, loading, error } = useAsyncRetry(
    () => api.getChecks(entityRef),
    [api, entityRef],
  );
  const checkNow = useCallback(() => {
    setChecking(true);
    setCheckError(undefined);
    api
      .checkNow(entityRef)
      .then(setFresh, setCheckError)
      .finally(() => setChecking(false));
  }, [api, entityRef]);
  return {
    loading,
    error: checkError ?? error,
    report: fresh ?? value,
    checkNow,
    checking,
  };
}
