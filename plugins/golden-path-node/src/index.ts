/**
 * The golden path's checks and the checkpointed poller the create task waits with.
 *
 * @packageDocumentation
 */
export * from './lib/poller';
export * from './lib/config';
