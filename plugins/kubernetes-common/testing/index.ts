/*
 * Test helpers for every package that judges Kubernetes workloads: the API server stand-in and
 * the kubernetes backend's answers built from its recorded scenarios.
 */
export * from './kubernetesStandIn';
export * from './responses';
