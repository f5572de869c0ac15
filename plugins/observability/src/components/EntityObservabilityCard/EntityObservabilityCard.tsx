import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { GrafanaPanel } from '../GrafanaPanel/GrafanaPanel';
import { ObservabilityGate } from '../ObservabilityGate/ObservabilityGate';
import { useObservability } from '../../hooks/useObservability';
import { useGrafanaTheme } from '../../hooks/useGrafanaTheme';
import { ObservabilityTarget } from '../../lib/annotations';
import { PanelKey, getPanel } from '@internal/plugin-observability-common';
import { buildDashboardUrl, buildPanelUrl } from '../../lib/urls';

const KEY_PANELS: Array<[PanelKey, 4 | 12, number]> = [
  ['readyPods', 4, 110],
  ['restarts', 4, 110],
  ['errorLogs', 4, 110],
  ['cpu', 12, 200],
];

function KeyPanels(props: { target: ObservabilityTarget }) {
  const { target } = props;
  const theme = useGrafanaTheme();
  return (
    <Grid container spacing={1}>
      {KEY_PANELS.map(([key, width, height]) => {
        const panel = getPanel(key);
        return (
          <Grid item xs={width} key={key}>
            <GrafanaPanel
              title={`${panel.title} (Grafana)`}
              height={height}
              src={buildPanelUrl(target, panel.id, {
                theme,
                timeRange: '1h',
                refresh: '1m',
              })}
            />
          </Grid>
        );
      })}
    </Grid>
  );
}

/**
 * Overview card with the key Grafana panels of an entity (last hour).
 *
 * @public
 */
export function EntityObservabilityCard() {
  const { entity } = useEntity();
  const state = useObservability(entity);
  const openInGrafana =
    state.status === 'ready' ? (
      <Button
        size="small"
        href={buildDashboardUrl(state.target, '1h')}
        target="_blank"
        rel="noopener noreferrer"
        endIcon={<OpenInNewIcon />}
      >
        Open in Grafana
      </Button>
    ) : undefined;
  return (
    <EntityInfoCard title="Observability" headerActions={openInGrafana}>
      <ObservabilityGate entity={entity} state={state}>
        {ready => <KeyPanels target={ready.target} />}
      </ObservabilityGate>
    </EntityInfoCard>
  );
}
