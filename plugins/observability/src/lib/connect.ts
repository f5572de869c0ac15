/**
 * What to add to app-config.local.yaml to connect a Grafana on port 3030 (the tab shows it when
 * no Grafana is configured). app-config.yaml carries the same lines as a comment; a test keeps
 * the two equal and checks that the snippet is a config the plugin and the proxy accept.
 *
 * @public
 */
export const GRAFANA_CONNECT_SNIPPET = `observability:
  grafana:
    instances:
      - name: local
        url: http://localhost:3030
        dashboardUid: service-overview
  alerts:
    proxyPath: /grafana/alerts
proxy:
  endpoints:
    # Only what the plugin calls: health, dashboard by uid, Grafana's alerts. Read-only.
    /grafana/api/health:
      target: http://localhost:3030/api/health
      pathRewrite: { '^/api/proxy/grafana/api/health.*$': '' }
      allowedMethods: [GET]
    /grafana/api/dashboards/uid/service-overview:
      target: http://localhost:3030/api/dashboards/uid/service-overview
      pathRewrite: { '^/api/proxy/grafana/api/dashboards/uid/service-overview.*$': '' }
      allowedMethods: [GET]
    /grafana/alerts:
      target: http://localhost:3030/api/prometheus/grafana/api/v1/alerts
      pathRewrite: { '^/api/proxy/grafana/alerts.*$': '' }
      allowedMethods: [GET]
backend:
  csp:
    frame-src: ['http://localhost:3030']
`;
