import { ReactNode } from 'react';
import Typography from '@material-ui/core/Typography';
import { Entity } from '@backstage/catalog-model';
import {
  CodeSnippet,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { ObservabilityState } from '../../hooks/useObservability';
import { ObservabilityTarget, annotationSnippet } from '../../lib/annotations';
import { NotConnected } from '../NotConnected/NotConnected';

/**
 * No Grafana configured (a local run): one line, and where the docs say how to connect one.
 *
 * @public
 */
export function ConnectGrafana() {
  return (
    <NotConnected message="No Grafana is connected to this portal, so there are no metrics or logs to show." />
  );
}

/** @public */
export interface ObservabilityGateProps {
  entity: Entity;
  state: ObservabilityState;
  children: (ready: {
    target: ObservabilityTarget;
    dashboardTitle: string;
  }) => ReactNode;
}

/**
 * Renders each state that is not "ready" (loading, missing or invalid annotations, no Grafana
 * instance, Grafana unreachable, dashboard missing, error), and the children once ready.
 *
 * @public
 */
export function ObservabilityGate(props: ObservabilityGateProps) {
  const { entity, state, children } = props;
  switch (state.status) {
    case 'loading':
      return <Progress />;
    case 'missing-annotations':
      return (
        <EmptyState
          missing="field"
          title="No Kubernetes annotations"
          description={`Add ${state.missing.join(
            ' and ',
          )} to this entity's catalog-info.yaml so its metrics and logs can be found.`}
          action={
            <CodeSnippet
              language="yaml"
              text={annotationSnippet(entity)}
              showCopyCodeButton
            />
          }
        />
      );
    case 'invalid-annotations':
      return (
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
    case 'no-instance':
      if (!state.requested) {
        return <ConnectGrafana />;
      }
      return (
        <WarningPanel
          severity="error"
          title="No Grafana instance"
          defaultExpanded
        >
          <Typography>
            {`The entity asks for Grafana instance "${state.requested}", which is not configured in observability.grafana.instances.`}
          </Typography>
        </WarningPanel>
      );
    case 'unreachable':
      return (
        <WarningPanel
          severity="error"
          title={`Grafana (${state.instance.name}) is unreachable`}
          message={state.error.message}
        />
      );
    case 'dashboard-missing':
      return (
        <WarningPanel
          severity="warning"
          title="Dashboard not found"
          message={`Grafana (${state.target.instance.name}) has no dashboard with uid "${state.target.dashboardUid}". Provision grafana/dashboards/service-overview.json or fix the observability/grafana-dashboard annotation.`}
        />
      );
    case 'error':
      return <ResponseErrorPanel error={state.error} />;
    case 'ready':
    default:
      return (
        <>
          {children({
            target: state.target,
            dashboardTitle: state.dashboardTitle,
          })}
        </>
      );
  }
}
