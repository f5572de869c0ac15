import { describeClusterError } from './clusterErrors';

describe('describeClusterError', () => {
  it('keeps a fetch error without the usual wording as it is', () => {
    expect(
      describeClusterError('aks-prod', {
        errorType: 'FETCH_ERROR',
        message: 'socket hang up',
      }),
    ).toBe('Cluster aks-prod could not be reached: socket hang up');
  });

  it('names the status and path of other failures', () => {
    expect(
      describeClusterError('aks-prod', {
        errorType: 'SYSTEM_ERROR',
        statusCode: 500,
        resourcePath: '/api/v1/namespaces/dashboards/pods',
      }),
    ).toBe(
      'Cluster aks-prod answered HTTP 500 (SYSTEM_ERROR) for /api/v1/namespaces/dashboards/pods.',
    );
  });
});
