import { readFileSync } from 'fs';
import {
  SERVICE_OVERVIEW_UID,
  buildServiceOverviewDashboard,
  serializeDashboard,
} from '@internal/plugin-observability-common/dashboard';
import { DASHBOARD_FILE, RULES_FILE, serializeRules } from './generate';
import {
  ALERT_RULES,
  DASHBOARD_PANELS,
} from '@internal/plugin-observability-common';
import { parse } from 'yaml';

const dashboard = buildServiceOverviewDashboard();
const json = JSON.parse(serializeDashboard(dashboard));

describe('service overview dashboard', () => {
  it('matches the stored JSON (run `yarn generate:dashboard` after changing it)', () => {
    const stored = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
    expect(stored).toEqual(json);
  });

  it('has the data source variables, and cluster, namespace and app as hidden text boxes', () => {
    const variables = json.templating.list.map(
      (v: any) => `${v.type}:${v.name}`,
    );
    expect(variables).toEqual([
      'datasource:datasource',
      'datasource:loki',
      'textbox:cluster',
      'textbox:namespace',
      'textbox:app',
    ]);
    expect(json.uid).toBe(SERVICE_OVERVIEW_UID);
  });

  it('pins cluster, namespace and app: no variable has options a refresh could switch the value to', () => {
    // A text box keeps the URL's value; query and custom variables are re-validated against
    // their options on refresh (grafana/scenes MultiValueVariable), which could replace it.
    for (const name of ['cluster', 'namespace', 'app']) {
      const variable = json.templating.list.find((v: any) => v.name === name);
      expect(variable).toMatchObject({ type: 'textbox', hide: 2 });
      expect(variable.skipUrlSync).toBe(false);
      expect(variable.refresh).toBeUndefined();
      expect(variable.datasource).toBeUndefined();
    }
  });

  it('has no refresh of its own, so the portal turning refresh off is not overridden', () => {
    expect(json.refresh).toBe('');
  });

  it('holds every panel the plugin embeds, with its id and queries', () => {
    expect(json.panels).toHaveLength(DASHBOARD_PANELS.length);
    for (const def of DASHBOARD_PANELS) {
      const panel = json.panels.find((p: any) => p.id === def.id);
      expect(panel?.title).toBe(def.title);
      expect(panel.targets.map((t: any) => t.expr)).toEqual(
        def.queries.map(q => q.expr),
      );
      const expected =
        def.queries[0].language === 'logql' ? '${loki}' : '${datasource}';
      for (const t of panel.targets) {
        expect(t.datasource.uid).toBe(expected);
      }
    }
  });

  it('lays panels out without overlaps on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos } of json.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('alerting rule file', () => {
  it('matches ALERT_RULES (run `yarn generate:dashboard` after changing them)', () => {
    const stored = parse(readFileSync(RULES_FILE, 'utf8'));
    expect(stored).toEqual(parse(serializeRules()));
    expect(stored.groups[0].rules.map((r: any) => r.alert)).toEqual(
      ALERT_RULES.map(r => r.alert),
    );
  });
});
