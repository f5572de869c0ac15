/**
 * @jest-environment node
 */
/*
 * The Grafana side of the set-up kept in grafana/: provisioning, embedding settings, alerting
 * rules, and the app-config that points the plugin at Grafana.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parse } from 'yaml';
import { GRAFANA_CONNECT_SNIPPET } from '../lib/connect';

const GRAFANA_DIR = resolve(__dirname, '../../grafana');
const REPO_ROOT = resolve(__dirname, '../../../..');
const read = (path: string) => readFileSync(resolve(GRAFANA_DIR, path), 'utf8');

function promtool(args: string[]): string {
  const binary = process.env.PROMTOOL_BIN ?? 'promtool';
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `promtool not found (${binary}). Install Debian's prometheus package ` +
        '(apt-get install -y prometheus) or set PROMTOOL_BIN.',
    );
  }
  try {
    return execFileSync(binary, args, {
      cwd: resolve(GRAFANA_DIR, 'alerts'),
      encoding: 'utf8',
    });
  } catch (error: any) {
    throw new Error(
      `promtool ${args.join(' ')} failed:\n${error.stdout}${error.stderr}`,
    );
  }
}

describe('alerting rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool(['check', 'rules', 'service.rules.yml'])).toContain(
      'SUCCESS: 4 rules found',
    );
  });

  it('pass their promtool unit tests', () => {
    expect(promtool(['test', 'rules', 'service.rules.test.yml'])).toContain(
      'SUCCESS',
    );
  });
});

describe('Grafana provisioning', () => {
  const datasourcesOf = (file: string) =>
    parse(read(`provisioning/datasources/${file}`)).datasources;

  /**
   * Grafana's check of provisioned data sources (grafana/grafana
   * `pkg/services/provisioning/datasources/config_reader.go`, validateDefaultUniqueness): at most
   * one default per organisation, else "Only one datasource per organization can be marked as
   * default" and provisioning fails; and one data source per name.
   */
  const grafanaAccepts = (datasources: any[]) =>
    datasources.filter(d => d.isDefault).length <= 1 &&
    new Set(datasources.map(d => d.name)).size === datasources.length;

  /** The data source kube-prometheus-stack's Grafana provisions itself (chart 88.5.3 values). */
  const KPS_DATASOURCE = {
    name: 'Prometheus',
    uid: 'prometheus',
    type: 'prometheus',
    isDefault: true,
  };

  it('provisions the Prometheus and Loki data sources under the names app-config selects', () => {
    expect(
      [...datasourcesOf('prometheus.yaml'), ...datasourcesOf('loki.yaml')].map(
        (d: any) => `${d.type}:${d.name}`,
      ),
    ).toEqual(['prometheus:Prometheus', 'loki:Loki']);
    const appConfig = parse(
      // The config the browser tests run the provisioned dashboards with.
      readFileSync(resolve(REPO_ROOT, 'e2e/app-config.e2e.yaml'), 'utf8'),
    );
    for (const instance of appConfig.observability.grafana.instances) {
      expect(instance.datasources).toEqual({
        prometheus: 'Prometheus',
        loki: 'Loki',
      });
    }
  });

  it("sends Loki's tenant header, which Loki's chart (auth_enabled: true) requires", () => {
    const [loki] = datasourcesOf('loki.yaml');
    expect(loki.jsonData.httpHeaderName1).toBe('X-Scope-OrgID');
    // The value is a secret field, from Grafana's environment.
    expect(loki.secureJsonData.httpHeaderValue1).toBe('${LOKI_TENANT}');
  });

  it("adds no second default data source to kube-prometheus-stack's Grafana", () => {
    expect(
      grafanaAccepts([KPS_DATASOURCE, ...datasourcesOf('loki.yaml')]),
    ).toBe(true);
    // The check can fail: the earlier shipped Prometheus data source, a second default.
    expect(
      grafanaAccepts([KPS_DATASOURCE, { ...KPS_DATASOURCE, name: 'Other' }]),
    ).toBe(false);
    for (const file of ['loki.yaml', 'prometheus.yaml']) {
      expect(datasourcesOf(file).every((d: any) => d.isDefault === false)).toBe(
        true,
      );
    }
  });

  it("gives kube-prometheus-stack Helm values (docs) that add the shipped Loki data source to the chart's Grafana", () => {
    const docs = readFileSync(
      resolve(REPO_ROOT, 'docs/observability.md'),
      'utf8',
    );
    const block = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map(m => parse(m[1]))
      .find(values => values?.grafana?.additionalDataSources);
    expect(block).toBeDefined();
    const added = block.grafana.additionalDataSources;
    const [loki] = datasourcesOf('loki.yaml');
    expect(added).toEqual([
      expect.objectContaining({
        name: loki.name,
        uid: loki.uid,
        type: 'loki',
        jsonData: expect.objectContaining({
          httpHeaderName1: 'X-Scope-OrgID',
        }),
        secureJsonData: { httpHeaderValue1: expect.any(String) },
      }),
    ]);
    expect(grafanaAccepts([KPS_DATASOURCE, ...added])).toBe(true);
    expect(block.grafana['grafana.ini'].security.allow_embedding).toBe(true);
  });

  it('loads dashboards from files, read-only', () => {
    const { providers } = parse(read('provisioning/dashboards/portal.yaml'));
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ type: 'file', allowUiUpdates: false });
    expect(providers[0].options.path).toBeTruthy();
  });

  it('sets what embedding needs in grafana.ini', () => {
    const ini = read('grafana.ini');
    const section = (name: string) => {
      const match = ini.match(
        new RegExp(`^\\[${name}\\]\\n([\\s\\S]*?)(?=^\\[|$(?![\\s\\S]))`, 'm'),
      );
      return match?.[1] ?? '';
    };
    expect(section('security')).toMatch(/^allow_embedding = true$/m);
    // SameSite=None does not carry a session into a cross-site iframe in Safari or Firefox:
    // the default (lax) is kept, which works same-site.
    expect(section('security')).not.toMatch(/^cookie_samesite/m);
    expect(ini).not.toMatch(/^viewers_can_edit/m); // removed in Grafana 12
    expect(section('auth\\.anonymous')).toMatch(/^enabled = true$/m);
    expect(section('auth\\.anonymous')).toMatch(/^org_role = Viewer$/m);
  });
});

describe('app-config', () => {
  const readConfig = (file: string) =>
    parse(readFileSync(resolve(REPO_ROOT, file), 'utf8'));

  it('configures no Grafana locally, so the tab shows how to connect one', () => {
    const config = readConfig('app-config.yaml');
    expect(config.observability).toBeUndefined();
    // Other plugins' proxy endpoints may be there (the pipeline-runs card's); none for Grafana.
    expect(
      Object.keys(config.proxy?.endpoints ?? {}).filter(path =>
        path.startsWith('/grafana'),
      ),
    ).toEqual([]);
    expect(config.backend.csp['frame-src']).toBeUndefined();
  });

  it('tells in a comment what to put into app-config.local.yaml: what the tab shows', () => {
    const comment = readFileSync(resolve(REPO_ROOT, 'app-config.yaml'), 'utf8')
      .split('\n')
      .filter(line => line.startsWith('#   '))
      .map(line => line.slice(4))
      .join('\n');
    expect(comment).toContain(GRAFANA_CONNECT_SNIPPET.trimEnd());
  });

  it.each(['app-config.production.yaml', 'e2e/app-config.e2e.yaml'])(
    '%s frames exactly the configured Grafana instances and proxies only the endpoints the plugin calls',
    file => {
      const config = readConfig(file);
      const instances = config.observability.grafana.instances as Array<{
        url: string;
        proxyPath: string;
      }>;
      const origin = (url: string) =>
        url.startsWith('${') ? url : new URL(url).origin;
      expect([...config.backend.csp['frame-src']].sort()).toEqual(
        [...new Set(instances.map(i => origin(i.url)))].sort(),
      );
      // What GrafanaClient requests, below each instance's proxyPath, and the alerts route.
      const expected: Record<string, string> = {};
      // One endpoint per dashboard uid the tab reads (the instance's dashboardUid), none for a
      // prefix that would reach every dashboard.
      for (const instance of instances as Array<{
        url: string;
        proxyPath: string;
        dashboardUid?: string;
      }>) {
        const uid = instance.dashboardUid ?? 'service-overview';
        expected[`${instance.proxyPath}/health`] = `${instance.url}/api/health`;
        expected[
          `${instance.proxyPath}/dashboards/uid/${uid}`
        ] = `${instance.url}/api/dashboards/uid/${uid}`;
      }
      const alertsPath = config.observability.alerts?.proxyPath;
      if (alertsPath) {
        expected[alertsPath] = config.proxy.endpoints[alertsPath].target;
      }
      // Every endpoint that reaches a Grafana instance; other plugins' endpoints (the
      // pipeline-runs card's Azure DevOps one) are theirs to check.
      const endpoints = Object.fromEntries(
        Object.entries(
          config.proxy.endpoints as Record<
            string,
            { target: string; allowedMethods: string[] }
          >,
        ).filter(([, e]) => instances.some(i => e.target.startsWith(i.url))),
      );
      expect(
        Object.fromEntries(
          Object.entries(endpoints).map(([path, e]) => [path, e.target]),
        ),
      ).toEqual(expected);
      for (const endpoint of Object.values(endpoints)) {
        expect(endpoint.allowedMethods).toEqual(['GET']);
        // Nothing that lets a user run queries or reach data sources through the portal.
        expect(endpoint.target).not.toMatch(
          /\/api\/?$|datasources|\/ds\/|query/,
        );
        expect(endpoint.target).toMatch(
          /\/api\/(health|dashboards\/uid\/[A-Za-z0-9_-]+|prometheus\/grafana\/api\/v1\/alerts|v1\/alerts)$/,
        );
        // Every endpoint rewrites what is below it to its one path.
        expect(Object.keys((endpoint as any).pathRewrite ?? {})).toHaveLength(
          1,
        );
      }
    },
  );
});
