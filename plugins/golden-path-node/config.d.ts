import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** How the create task waits for a new service and where the checks read from. */
  goldenPath?: {
    /**
     * How long the create task waits for each stage before it fails naming it; a duration such
     * as `{ minutes: 10 }` or `PT10M`. Defaults: built 20 min, deployed 10 min, the others 5 min.
     */
    timeouts?: {
      built?: HumanDuration | string;
      deployed?: HumanDuration | string;
      scraped?: HumanDuration | string;
      logging?: HumanDuration | string;
      dashboard?: HumanDuration | string;
      alerts?: HumanDuration | string;
    };
    /** How often a waiting stage looks again; 15 s by default. */
    interval?: HumanDuration | string;
  };
}
