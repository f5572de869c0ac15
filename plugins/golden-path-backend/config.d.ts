export interface Config {
  /** Where the golden path's checks read from; a part left out makes its checks say "cannot check". */
  goldenPath?: {
    /** Prometheus' HTTP API (or Grafana's data source proxy for it), read-only. */
    prometheus?: {
      /** For example `http://prometheus-operated.monitoring:9090`. */
      url: string;
      /**
       * Bearer token, when Prometheus sits behind an authenticating proxy.
       * @visibility secret
       */
      token?: string;
    };
    /** Loki's HTTP API, read-only. */
    loki?: {
      url: string;
      /** @visibility secret */
      token?: string;
      /** `X-Scope-OrgID` of a multi-tenant Loki. */
      tenant?: string;
    };
    /** Grafana, for the dashboard link and the Grafana-managed alert rules. */
    grafana?: {
      url: string;
      /**
       * A service-account token with the Viewer role.
       * @visibility secret
       */
      token: string;
      /** Defaults to `service-overview`. */
      dashboardUid?: string;
    };
    /** Azure DevOps, for the built check. */
    azureDevOps?: {
      /**
       * A personal access token with the Build (Read) scope only; the built check reads runs and
       * their timelines with it, never with the portal's publishing token.
       * @visibility secret
       */
      token?: string;
    };
    /** The Golden path card. */
    card?: {
      /**
       * How long an answer is reused for further page views before the checks run again;
       * "Check now" always runs them. Defaults to one minute.
       */
      maxAge?: import('@backstage/types').HumanDuration | string;
    };
  };
}
