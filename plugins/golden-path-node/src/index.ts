/**
 * The golden path's checks and the checkpointed poller the create task waits with.
 *
 * @packageDocumentation
 */
export * from './lib/poller';
export * from './lib/config';
export * from './checks/types';
export * from './checks/target';
export * from './checks/built';
export * from './checks/deployed';
export * from './checks/prometheus';
export * from './checks/loki';
export * from './checks/dashboard';
export * from './checks/sources';
export * from './checks/runChecks';
export * from './checks/verify';
