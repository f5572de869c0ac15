export interface Config {
  /**
   * Where the `grafana:dashboard:apply` scaffolder action and the `provision-all` command put each
   * service's dashboard and alert rules. Absent: the action fails with a message saying so.
   */
  grafanaProvisioning?: {
    /** Grafana's base URL as the backend reaches it, e.g. `https://grafana.example.com`. */
    url: string;
    /**
     * Token of a Grafana service account with the Editor role: it creates folders, dashboards
     * and alert rules. Never sent to the browser.
     * @visibility secret
     */
    token: string;
    /** Uid of the Prometheus data source the alert rules query. */
    prometheusDatasourceUid: string;
  };
}
