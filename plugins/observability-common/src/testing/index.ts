/**
 * Test helpers shared by the plugins whose tests run a real Prometheus: the observability plugin's
 * dashboard and alerts tests and the golden path's checks. Node only; never imported by app code.
 */
export * from './prometheus';
