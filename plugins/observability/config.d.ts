export interface Config {
  /** Settings of the observability plugin. */
  observability?: {
    /**
     * The alerts card on the entity page.
     * @deepVisibility frontend
     */
    alerts?: {
      /**
       * Path of the Backstage proxy endpoint that answers with alerts in Prometheus' format
       * (`GET /api/v1/alerts` of Prometheus, or Grafana's
       * `/api/prometheus/grafana/api/v1/alerts`), e.g. `/grafana/alerts`.
       */
      proxyPath: string;
    };
    /**
     * The Grafana instances whose panels the Observability tab embeds.
     * @deepVisibility frontend
     */
    grafana?: {
      /**
       * Name of the instance used by entities without the `observability/grafana-instance`
       * annotation. Defaults to the first instance.
       */
      defaultInstance?: string;
      /** One or more Grafana instances. */
      instances: Array<{
        /** Name an entity refers to in its `observability/grafana-instance` annotation. */
        name: string;
        /**
         * Base URL of Grafana as the browser reaches it (iframes and links), for example
         * `https://grafana.example.com` or `https://example.com/grafana`. The app's CSP
         * `frame-src` must allow this origin.
         */
        url: string;
        /** Grafana organization id. Defaults to 1. */
        orgId?: number;
        /**
         * The `cluster` label value of the services' series in this Grafana (where several
         * clusters feed one Prometheus); an entity may name another with the annotation
         * `observability/cluster`. Empty (the default): series without a `cluster` label.
         */
        cluster?: string;
        /**
         * Uid of the service overview dashboard, used by entities without the
         * `observability/grafana-dashboard` annotation.
         */
        dashboardUid: string;
        /**
         * Path of the Backstage proxy endpoint that forwards to this instance's `/api`, used for
         * the health and dashboard checks. Defaults to `/grafana/api`.
         */
        proxyPath?: string;
        /** Names (or uids) of the data sources the dashboard's variables select. */
        datasources?: {
          /** Defaults to `Prometheus`. */
          prometheus?: string;
          /** Defaults to `Loki`. */
          loki?: string;
        };
      }>;
    };
  };
}
