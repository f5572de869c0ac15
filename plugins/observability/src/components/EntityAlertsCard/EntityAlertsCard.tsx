import Chip from '@material-ui/core/Chip';
import Link from '@material-ui/core/Link';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { Entity } from '@backstage/catalog-model';
import {
  CodeSnippet,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { useEntityAlerts } from '../../hooks/useEntityAlerts';
import { ActiveAlert, runbookHref } from '../../lib/alerts';
import { annotationSnippet } from '../../lib/annotations';
import { NotConnected } from '../NotConnected/NotConnected';

/** "for 5 minutes" from an RFC 3339 start; the exact time goes into the title. */
function since(activeAt: string, now: number): string {
  const started = Date.parse(activeAt);
  if (Number.isNaN(started)) {
    return '';
  }
  const seconds = Math.max(0, Math.round((now - started) / 1000));
  const units: Array<[string, number, number]> = [
    // unit, its length in seconds, shown up to this many seconds
    ['second', 1, 90],
    ['minute', 60, 90 * 60],
    ['hour', 3600, 36 * 3600],
    ['day', 86400, Infinity],
  ];
  const [unit, length] = units.find(([, , upTo]) => seconds < upTo)!;
  const value = Math.round(seconds / length);
  return `for ${value} ${unit}${value === 1 ? '' : 's'}`;
}

function AlertItem(props: { alert: ActiveAlert; entity: Entity }) {
  const { alert, entity } = props;
  const runbook = runbookHref(alert.runbook, {
    kind: entity.kind,
    namespace: entity.metadata.namespace,
    name: entity.metadata.name,
    hasDocs: Boolean(
      entity.metadata.annotations?.['backstage.io/techdocs-ref'],
    ),
  });
  const started = new Date(Date.parse(alert.activeAt));
  return (
    <ListItem divider aria-label={`${alert.name} ${alert.state}`}>
      <ListItemText
        primary={
          <>
            <Chip
              size="small"
              label={alert.state === 'firing' ? 'Firing' : 'Pending'}
              color={alert.state === 'firing' ? 'secondary' : 'default'}
            />{' '}
            <strong>{alert.name}</strong>{' '}
            {alert.severity ? (
              <Chip size="small" variant="outlined" label={alert.severity} />
            ) : null}
          </>
        }
        secondary={
          <>
            {alert.summary ? <span>{alert.summary}. </span> : null}
            <span
              title={
                Number.isNaN(started.getTime()) ? '' : started.toISOString()
              }
            >
              {alert.state === 'firing' ? 'Firing' : 'Pending'}{' '}
              {since(alert.activeAt, Date.now())}
            </span>
            {runbook ? (
              <>
                {' · '}
                <Link href={runbook}>Runbook</Link>
              </>
            ) : null}
          </>
        }
      />
    </ListItem>
  );
}

/** @public */
export interface EntityAlertsCardProps {
  /** How often to ask for alerts again, in ms; 30 s by default. */
  pollIntervalMs?: number;
}

/**
 * The entity's firing and pending alerts: name, severity, summary, since when, runbook link.
 *
 * @public
 */
export function EntityAlertsCard(props: EntityAlertsCardProps) {
  const { entity } = useEntity();
  const state = useEntityAlerts(entity, props.pollIntervalMs);
  let content;
  switch (state.status) {
    case 'loading':
      content = <Progress />;
      break;
    case 'not-configured':
      content = (
        <NotConnected message="No alerts source is connected to this portal, so there are no alerts to show." />
      );
      break;
    case 'missing-annotations':
      content = (
        <EmptyState
          missing="field"
          title="No Kubernetes annotations"
          description={`Add ${state.missing.join(
            ' and ',
          )} to this entity's catalog-info.yaml so its alerts can be found.`}
          action={
            <CodeSnippet
              language="yaml"
              text={annotationSnippet(entity)}
              showCopyCodeButton
            />
          }
        />
      );
      break;
    case 'invalid-annotations':
      content = (
        <WarningPanel
          severity="error"
          title="Annotations cannot be used"
          defaultExpanded
        >
          {state.problems.map(problem => (
            <Typography key={problem}>{problem}</Typography>
          ))}
        </WarningPanel>
      );
      break;
    case 'error':
      content = <ResponseErrorPanel error={state.error} />;
      break;
    case 'ready':
    default:
      content =
        state.alerts.length === 0 ? (
          <Typography>No alerts firing or pending.</Typography>
        ) : (
          <List dense disablePadding>
            {state.alerts.map(alert => (
              <AlertItem
                key={`${alert.name}/${JSON.stringify(alert.labels)}`}
                alert={alert}
                entity={entity}
              />
            ))}
          </List>
        );
  }
  return <EntityInfoCard title="Alerts">{content}</EntityInfoCard>;
}
