import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { azurePipelinesApiRef } from '../api/AzurePipelinesApi';
import { pipelineRefOf } from '../lib/annotations';

/** The current entity's pipeline and its recent runs. */
export function usePipelineRuns() {
  const { entity } = useEntity();
  const api = useApi(azurePipelinesApiRef);
  return useAsync(async () => {
    const ref = pipelineRefOf(entity);
    return ref ? { ref, found: await api.getRuns(ref) } : undefined;
  }, [api, entity]);
}
