import type { KubernetesFetchError } from '@backstage/plugin-kubernetes-common';

/** A cluster the backend could not read completely. @public */
export interface ClusterProblem {
  cluster: string;
  message: string;
}

/**
 * Explains one fetch error of one cluster, the way an operator would want to read it.
 *
 * @public
 */
export function describeClusterError(
  cluster: string,
  error: KubernetesFetchError,
): string {
  if (error.errorType === 'FETCH_ERROR') {
    // node-fetch says "request to <full URL with query> failed, reason: <cause>"; the API
    // server's origin and the cause are what an operator needs.
    const fetchFailure = /^request to (\S+) failed, reason: (.*)$/s.exec(
      error.message,
    );
    if (fetchFailure) {
      let where = fetchFailure[1];
      try {
        where = new URL(where).origin;
      } catch {
        // keep the URL as reported
      }
      return `Cluster ${cluster} could not be reached at ${where}: ${fetchFailure[2]}`;
    }
    return `Cluster ${cluster} could not be reached: ${error.message}`;
  }
  const what = error.resourcePath ? ` for ${error.resourcePath}` : '';
  // The backend files 403 under UNKNOWN_ERROR; for a read-only service account it means RBAC.
  if (
    error.errorType === 'UNAUTHORIZED_ERROR' ||
    error.statusCode === 401 ||
    error.statusCode === 403
  ) {
    return `Cluster ${cluster} refused the portal's credentials (HTTP ${
      error.statusCode ?? 401
    })${what}: check the service-account token and its RBAC.`;
  }
  switch (error.errorType) {
    case 'NOT_FOUND':
      return `Cluster ${cluster} has no such resource (HTTP 404)${what}.`;
    default:
      return `Cluster ${cluster} answered HTTP ${
        error.statusCode ?? '(unknown)'
      } (${error.errorType})${what}.`;
  }
}

/**
 * metrics-server is optional: without it the backend reports a 404 for pod metrics, which says
 * nothing about the pods' health.
 */
export function isMissingMetricsServer(error: KubernetesFetchError): boolean {
  return (
    error.errorType !== 'FETCH_ERROR' &&
    error.statusCode === 404 &&
    (error.resourcePath ?? '').startsWith('/apis/metrics.k8s.io/')
  );
}

/** The errors of one cluster that say something about the pods, explained. */
export function clusterProblems(
  cluster: string,
  errors: KubernetesFetchError[],
): ClusterProblem[] {
  return errors
    .filter(error => !isMissingMetricsServer(error))
    .map(error => ({ cluster, message: describeClusterError(cluster, error) }));
}
