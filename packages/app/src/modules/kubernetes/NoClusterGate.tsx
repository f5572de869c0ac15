import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Typography from '@material-ui/core/Typography';
import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { kubernetesApiRef } from '@backstage/plugin-kubernetes-react';

/**
 * Where the portal's own TechDocs say how to connect a cluster to the portal: the README's
 * "Kubernetes" section is in the repository, docs/deployment.md's in the TechDocs site.
 */
export const CONNECT_CLUSTER_DOCS =
  '/docs/default/component/golden-path-portal/deployment/#kubernetes';

/**
 * The Kubernetes tab, or one line when the kubernetes backend knows no cluster
 * (`GET /api/kubernetes/clusters` is empty): the stock tab would say "No resources on any known
 * clusters", which reads as "no pods". When the clusters cannot be read, the stock tab shows
 * its own answer.
 */
export function NoClusterGate(props: { children: ReactNode }) {
  const kubernetesApi = useApi(kubernetesApiRef);
  const clusters = useAsync(
    () => kubernetesApi.getClusters().catch(() => undefined),
    [kubernetesApi],
  );
  if (clusters.loading) {
    return <Progress />;
  }
  if (clusters.value && clusters.value.length === 0) {
    return (
      <Typography variant="body1">
        No Kubernetes cluster is configured in this portal, so it cannot show
        this entity&apos;s resources.{' '}
        <Link to={CONNECT_CLUSTER_DOCS}>How to connect one</Link>
      </Typography>
    );
  }
  return <>{props.children}</>;
}
