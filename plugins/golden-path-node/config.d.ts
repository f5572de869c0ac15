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
    /**
     * The Prometheus the scrape, dashboard and (without Grafana) rule checks query: its base URL
     * as the portal's backend reaches it, e.g. `http://prometheus-operated.monitoring:9090`, or a
     * Grafana data source proxy (`<grafana>/api/datasources/proxy/uid/<uid>`). Unset or empty:
     * those checks say they cannot check. Only `GET` on `/api/v1/targets`, `/api/v1/query` and
     * `/api/v1/rules` is sent.
     */
    prometheus?: {
      url?: string;
      /**
       * Sent as `Authorization: Bearer <token>`; for a Grafana data source proxy, a Viewer
       * service-account token.
       * @visibility secret
       */
      token?: string;
    };
    /**
     * The Loki the logging check queries (`/loki/api/v1/series` and `query_range` only). Unset or
     * empty: the logging check says it cannot check.
     */
    loki?: {
      url?: string;
      /** The tenant (`X-Scope-OrgID`) of a multi-tenant Loki, as the log agent pushes with it. */
      tenant?: string;
      /** @visibility secret */
      token?: string;
    };
    /**
     * The Grafana whose alert rules (the ones grafana:dashboard:apply provisions) the alerts check
     * reads, through its Prometheus-compatible rules API, and whose dashboard the evidence links.
     * A Viewer service-account token is enough and all it should be.
     */
    grafana?: {
      url?: string;
      /** @visibility secret */
      token?: string;
      /** The dashboard the evidence links to; `service-overview` by default. */
      dashboardUid?: string;
    };
  };
}
