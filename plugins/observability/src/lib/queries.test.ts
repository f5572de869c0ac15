import {
  DASHBOARD_PANELS,
  LOG_SERVICE_LABEL,
  LOG_STREAM_SELECTOR,
  fillVariables,
} from '@internal/plugin-observability-common';
import { parseQuery } from './__testUtils__/parse';

const allQueries = DASHBOARD_PANELS.flatMap(panel =>
  panel.queries.map(q => ({ panel: panel.title, ...q })),
);

describe('dashboard queries', () => {
  it('have unique panel ids and keys', () => {
    const ids = DASHBOARD_PANELS.map(p => p.id);
    const keys = DASHBOARD_PANELS.map(p => p.key);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(allQueries.map(q => [`${q.panel} ${q.refId} (${q.language})`, q]))(
    '%s parses with the variables filled in and scopes to the app',
    (_name, query) => {
      const filled = fillVariables(query.expr, {
        namespace: 'dashboards',
        app: 'sales-dashboard',
      });
      const parsed = parseQuery(query.language, filled);
      expect(parsed.errors).toEqual([]);
      // Only label_replace's regex group references ($1) are left.
      expect(filled).not.toMatch(/\$[A-Za-z_{]/);
      const values = parsed.matchers.map(m => `${m.name}${m.op}${m.value}`);
      expect(values).toContain('namespace=dashboards');
      expect(values).not.toContain(
        'label_app_kubernetes_io_name=sales-dashboard',
      );
      expect(
        values.includes('app=sales-dashboard') ||
          values.includes('owner_name=sales-dashboard') ||
          values.includes(`${LOG_SERVICE_LABEL}=sales-dashboard`),
      ).toBe(true);
    },
  );

  it('covers the panels the overview promises', () => {
    const metrics = allQueries.map(q => q.expr).join('\n');
    for (const name of [
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'kube_pod_container_resource_requests',
      'kube_pod_container_resource_limits',
      'kube_pod_container_status_restarts_total',
      'kube_pod_status_ready',
      'dashboard_page_views_total',
      'dashboard_interactions_total',
      'dashboard_render_seconds_bucket',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(DASHBOARD_PANELS.map(p => p.kind)).toContain('logs');
  });
});

describe('fillVariables', () => {
  it('keeps an injection attempt inside the label value', () => {
    const app = 'x"} or {namespace=~".+';
    const filled = fillVariables(LOG_STREAM_SELECTOR, {
      namespace: 'dashboards',
      app,
    });
    const parsed = parseQuery('logql', filled);
    expect(parsed.errors).toEqual([]);
    expect(parsed.matchers).toEqual([
      { name: 'namespace', op: '=', value: 'dashboards' },
      { name: LOG_SERVICE_LABEL, op: '=', value: app },
    ]);
  });

  it('does not expand variables that appear inside a filled-in value', () => {
    expect(
      fillVariables('{app="$app"}', { namespace: 'n', app: '$namespace' }),
    ).toBe('{app="$namespace"}');
  });

  it('refuses unknown variables and malformed durations', () => {
    expect(() =>
      fillVariables('up{x="$other"}', { namespace: 'n', app: 'a' }),
    ).toThrow(/Unknown variable \$other/);
    expect(() =>
      fillVariables('rate(x[$__range])', {
        namespace: 'n',
        app: 'a',
        range: '1h] or vector(1',
      }),
    ).toThrow(/Invalid duration/);
  });
});
