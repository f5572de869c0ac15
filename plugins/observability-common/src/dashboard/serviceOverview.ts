/*
 * The "service overview" Grafana dashboard, as code. It is built from the same panel and query
 * definitions the plugin embeds (../queries.ts). The observability plugin writes it to
 * grafana/dashboards/service-overview.json (`yarn generate:dashboard`, a test fails when that file
 * is stale); the Grafana scaffolder module provisions it per entity through Grafana's API.
 *
 * Node only: the package's main entry point does not import this module, so the SDK never reaches
 * the app bundle.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  TextBoxVariableBuilder,
  VariableHide,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanelBuilder } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PrometheusQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  DASHBOARD_PANELS,
  DashboardPanel,
  DashboardQuery,
  PINNED_VARIABLES,
  PanelKey,
} from '../queries';
import { forTemplateVersion } from '../templateVersions';

/** Uid of the generated dashboard; app-config's `dashboardUid` points at it. */
export const SERVICE_OVERVIEW_UID = 'service-overview';

const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };
const LOKI = { type: 'loki', uid: '${loki}' };

/** Where each panel sits on Grafana's 24-column grid. */
const LAYOUT: Record<PanelKey, { x: number; y: number; w: number; h: number }> =
  {
    readyPods: { x: 0, y: 0, w: 6, h: 4 },
    restarts: { x: 6, y: 0, w: 6, h: 4 },
    targetsUp: { x: 12, y: 0, w: 6, h: 4 },
    errorLogs: { x: 18, y: 0, w: 6, h: 4 },
    cpu: { x: 0, y: 4, w: 12, h: 8 },
    memory: { x: 12, y: 4, w: 12, h: 8 },
    pageViews: { x: 0, y: 12, w: 8, h: 8 },
    interactions: { x: 8, y: 12, w: 8, h: 8 },
    renderTime: { x: 16, y: 12, w: 8, h: 8 },
    logVolume: { x: 0, y: 20, w: 24, h: 6 },
    logs: { x: 0, y: 26, w: 24, h: 12 },
  };

function target(query: DashboardQuery): cog.Builder<cog.Dataquery> {
  if (query.language === 'logql') {
    const builder = new LokiQueryBuilder()
      .refId(query.refId)
      .datasource(LOKI)
      .expr(query.expr);
    return query.legendFormat
      ? builder.legendFormat(query.legendFormat)
      : builder;
  }
  const builder = new PrometheusQueryBuilder()
    .refId(query.refId)
    .datasource(PROMETHEUS)
    .expr(query.expr);
  return query.legendFormat
    ? builder.legendFormat(query.legendFormat)
    : builder;
}

/** Requests and limits drawn as dashed reference lines. */
const referenceLine = (color: string) => [
  { id: 'color', value: { mode: 'fixed', fixedColor: color } },
  { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
  { id: 'custom.fillOpacity', value: 0 },
];

function panel(def: DashboardPanel): cog.Builder<Panel> {
  const datasource = def.queries[0].language === 'logql' ? LOKI : PROMETHEUS;
  const gridPos = LAYOUT[def.key];
  switch (def.kind) {
    case 'stat':
      return new StatPanelBuilder()
        .id(def.id)
        .title(def.title)
        .description(def.description)
        .datasource(datasource)
        .gridPos(gridPos)
        .unit(def.unit ?? 'none')
        .graphMode(common.BigValueGraphMode.Area)
        .reduceOptions(
          new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']),
        )
        .targets(def.queries.map(target));
    case 'logs':
      return new LogsPanelBuilder()
        .id(def.id)
        .title(def.title)
        .description(def.description)
        .datasource(datasource)
        .gridPos(gridPos)
        .showTime(true)
        .wrapLogMessage(true)
        .enableLogDetails(true)
        .sortOrder(common.LogsSortOrder.Descending)
        .targets(def.queries.map(target));
    case 'timeseries':
    default: {
      const builder = new TimeseriesPanelBuilder()
        .id(def.id)
        .title(def.title)
        .description(def.description)
        .datasource(datasource)
        .gridPos(gridPos)
        .unit(def.unit ?? 'short')
        .min(0)
        .fillOpacity(10)
        .targets(def.queries.map(target));
      if (def.queries.some(q => q.legendFormat === 'limit')) {
        builder
          .overrideByName('requested', referenceLine('orange'))
          .overrideByName('limit', referenceLine('red'));
      }
      if (def.key === 'logVolume') {
        builder
          .drawStyle(common.GraphDrawStyle.Bars)
          .stacking(
            new common.StackingConfigBuilder().mode(common.StackingMode.Normal),
          );
      }
      return builder;
    }
  }
}

/**
 * A variable that pins the panels to the service the URL names (`var-<name>`): a hidden text box,
 * which keeps its value on every refresh (see PINNED_VARIABLES).
 */
function pinnedVariable(
  name: (typeof PINNED_VARIABLES)[number],
): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(name)
    .label(name)
    .hide(VariableHide.HideVariable)
    .defaultValue('');
}

/**
 * Builds the service overview dashboard: every panel, or (with `templateVersion`) only those a
 * service at that template version has the code for (../templateVersions.ts).
 */
export function buildServiceOverviewDashboard(
  options: {
    templateVersion?: string;
    panels?: readonly DashboardPanel[];
  } = {},
): Dashboard {
  const builder = new DashboardBuilder('Service overview')
    .uid(SERVICE_OVERVIEW_UID)
    .description(
      "One service's pods, resources, app metrics and logs. The portal's Observability tab " +
        'embeds its panels with the cluster, namespace and app of the catalog entity; open it ' +
        'from the entity page, which passes them in the URL.',
    )
    .tags(['golden-path', 'generated'])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    // No default refresh: the portal's "Off" leaves `refresh` out of the panel URL, and Grafana
    // would then apply the dashboard's own.
    .refresh('')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Prometheus')
        .type('prometheus'),
    )
    .withVariable(
      new DatasourceVariableBuilder('loki').label('Loki').type('loki'),
    )
    .withVariable(pinnedVariable('cluster'))
    .withVariable(pinnedVariable('namespace'))
    .withVariable(pinnedVariable('app'));
  const panels = options.panels ?? DASHBOARD_PANELS;
  for (const def of options.templateVersion
    ? forTemplateVersion(panels, options.templateVersion)
    : panels) {
    builder.withPanel(panel(def));
  }
  return builder.build();
}

/** The dashboard as the JSON file stored in the repository. */
export function serializeDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
