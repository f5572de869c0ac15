export interface Config {
  goldenPath?: {
    /**
     * How a template step ends when the outside service it needs (Azure DevOps, Grafana,
     * Cloudflare) has no credentials or settings here. `skip`: the step logs "<service> not
     * configured here: skipped" with how to connect it, and the task goes on (the local
     * defaults). `fail` (the default, production): the step fails naming what to set.
     */
    unconfiguredServices?: 'skip' | 'fail';
  };
}
