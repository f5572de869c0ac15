import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';
import { useEntity } from '@backstage/plugin-catalog-react';
import { GrafanaPanel } from '../GrafanaPanel/GrafanaPanel';
import { ObservabilityGate } from '../ObservabilityGate/ObservabilityGate';
import { useObservability } from '../../hooks/useObservability';
import { useGrafanaTheme } from '../../hooks/useGrafanaTheme';
import { ObservabilityTarget } from '../../lib/annotations';
import { PanelKey, getPanel } from '@internal/plugin-observability-common';
import {
  REFRESH_INTERVALS,
  RefreshInterval,
  TIME_RANGES,
  TimeRange,
  buildDashboardUrl,
  buildExploreUrl,
  buildPanelUrl,
} from '../../lib/urls';

/** Panels of the tab: key, grid width (of 12) and height in pixels. */
const LAYOUT: Array<[PanelKey, 3 | 4 | 6 | 12, number]> = [
  ['readyPods', 3, 130],
  ['restarts', 3, 130],
  ['targetsUp', 3, 130],
  ['errorLogs', 3, 130],
  ['cpu', 6, 300],
  ['memory', 6, 300],
  ['pageViews', 4, 280],
  ['interactions', 4, 280],
  ['renderTime', 4, 280],
  ['logVolume', 12, 220],
  ['logs', 12, 480],
];

function Panels(props: {
  target: ObservabilityTarget;
  dashboardTitle: string;
}) {
  const { target, dashboardTitle } = props;
  const theme = useGrafanaTheme();
  const [timeRange, setTimeRange] = useState<TimeRange>('1h');
  const [refresh, setRefresh] = useState<RefreshInterval>('1m');

  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={16}>
          <TextField
            select
            id="observability-time-range"
            label="Time range"
            variant="outlined"
            size="small"
            value={timeRange}
            onChange={e => setTimeRange(e.target.value as TimeRange)}
          >
            {TIME_RANGES.map(r => (
              <MenuItem key={r.value} value={r.value}>
                {r.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            id="observability-refresh"
            label="Refresh"
            variant="outlined"
            size="small"
            value={refresh}
            onChange={e => setRefresh(e.target.value as RefreshInterval)}
          >
            {REFRESH_INTERVALS.map(r => (
              <MenuItem key={r} value={r}>
                {r === 'off' ? 'Off' : `Every ${r}`}
              </MenuItem>
            ))}
          </TextField>
          <Box flexGrow={1} />
          <Button
            variant="outlined"
            href={buildExploreUrl(
              target,
              getPanel('logs').queries[0],
              timeRange,
            )}
            target="_blank"
            rel="noopener noreferrer"
            endIcon={<OpenInNewIcon />}
          >
            Explore logs
          </Button>
          <Button
            variant="contained"
            color="primary"
            href={buildDashboardUrl(target, timeRange)}
            target="_blank"
            rel="noopener noreferrer"
            endIcon={<OpenInNewIcon />}
          >
            Open in Grafana
          </Button>
        </Box>
      </Grid>
      {LAYOUT.map(([key, width, height]) => {
        const panel = getPanel(key);
        return (
          <Grid item xs={12} md={width} key={key}>
            {/* Grafana draws the panel's title and description inside the frame. */}
            <Paper variant="outlined" style={{ overflow: 'hidden' }}>
              <GrafanaPanel
                title={`${panel.title}, ${dashboardTitle} (Grafana)`}
                height={height}
                src={buildPanelUrl(target, panel.id, {
                  theme,
                  timeRange,
                  refresh,
                })}
              />
            </Paper>
          </Grid>
        );
      })}
    </Grid>
  );
}

/**
 * The "Observability" tab of an entity: Grafana panels with its metrics and logs.
 *
 * @public
 */
export function EntityObservabilityContent() {
  const { entity } = useEntity();
  const state = useObservability(entity);
  return (
    <ObservabilityGate entity={entity} state={state}>
      {ready => <Panels {...ready} />}
    </ObservabilityGate>
  );
}
