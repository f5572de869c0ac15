import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  EntityInfoCard,
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { usePodHealth } from '../../hooks/usePodHealth';
import { podSelectorOf } from '@internal/plugin-kubernetes-common';
import type { PodProblem } from '@internal/plugin-kubernetes-common';
import { RECENT_WINDOW } from '@internal/plugin-kubernetes-common';
import type {
  HealthStatus,
  WorkloadHealth,
} from '@internal/plugin-kubernetes-common';
import {
  formatAge,
  formatEarlierFailures,
  formatReady,
  formatRestarts,
  formatRun,
} from './format';
import { ProblemLogsDialog } from './ProblemLogsDialog';

const useStyles = makeStyles(theme => ({
  workload: {
    '& + &': { marginTop: theme.spacing(2) },
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0),
  },
  problems: { margin: 0, paddingLeft: theme.spacing(2.5) },
  problem: {
    display: 'flex',
    alignItems: 'baseline',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
  },
  // Pod names, URLs and scheduler messages are long words: wrap them inside the card.
  wrap: { overflowWrap: 'anywhere' },
}));

const STATUS_LABEL: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  progressing: 'Updating',
  degraded: 'Degraded',
  down: 'Down',
};

function StatusLabel(props: { status: HealthStatus }) {
  const label = STATUS_LABEL[props.status];
  switch (props.status) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'progressing':
      return <StatusPending>{label}</StatusPending>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    default:
      return <StatusError>{label}</StatusError>;
  }
}

// Cluster messages often end in a full stop; the age follows after a comma.
const withoutFullStop = (message: string) => message.replace(/\.$/, '');

function Problem(props: { problem: PodProblem; workload: WorkloadHealth }) {
  const { problem, workload } = props;
  const classes = useStyles();
  const { pod, namespace, container, logs } = problem;
  return (
    <li>
      <div className={classes.problem}>
        <Typography variant="body2">
          <strong>{problem.reason}</strong> in{' '}
          {pod ?? `${workload.kind} ${workload.name}`}
          {container ? ` (${container})` : ''}
          {problem.message ? `: ${withoutFullStop(problem.message)}` : ''}
          {problem.at ? `, ${formatAge(problem.at)}` : ''}
        </Typography>
        {pod && namespace && container && logs && (
          <ProblemLogsDialog
            target={{
              cluster: { name: workload.clusterName, title: workload.cluster },
              namespace,
              pod,
              container,
              initial: logs,
            }}
          />
        )}
      </div>
    </li>
  );
}

function Workload(props: {
  workload: WorkloadHealth;
  showCluster: boolean;
  windowMs: number;
}) {
  const { workload, showCluster } = props;
  const isJob = workload.kind === 'Job' || workload.kind === 'CronJob';
  // The card names the window it counts over; only the default one has a name.
  const windowLabel =
    props.windowMs === RECENT_WINDOW.ms
      ? RECENT_WINDOW.label
      : `the last ${Math.round(props.windowMs / 60_000)} minutes`;
  const classes = useStyles();
  const termination = workload.lastTermination;
  const change = workload.lastChange;
  return (
    <section
      className={classes.workload}
      aria-label={`${workload.kind} ${workload.name}`}
    >
      <Typography variant="subtitle1">
        <StatusLabel status={workload.status} /> {workload.kind} {workload.name}
        {showCluster ? ` in ${workload.cluster}` : ''}
      </Typography>
      <Box className={classes.facts}>
        {(!isJob || workload.pods > 0) && (
          <>
            <Typography variant="body2" color="textSecondary">
              Ready
            </Typography>
            <Typography variant="body2">{formatReady(workload)}</Typography>
          </>
        )}
        {workload.lastRun && (
          <>
            <Typography variant="body2" color="textSecondary">
              Last run
            </Typography>
            <Typography variant="body2">
              {formatRun(workload.lastRun)}
            </Typography>
          </>
        )}
        {workload.earlierFailedRuns &&
          workload.earlierFailedRuns.length > 0 && (
            <>
              <Typography variant="body2" color="textSecondary">
                Earlier runs
              </Typography>
              <Typography variant="body2">
                {formatEarlierFailures(workload.earlierFailedRuns)}
              </Typography>
            </>
          )}
        <Typography variant="body2" color="textSecondary">
          Restarts
        </Typography>
        <Typography variant="body2">
          {formatRestarts(workload.restarts, windowLabel)}
        </Typography>
        {termination && (
          <>
            <Typography variant="body2" color="textSecondary">
              Last termination
            </Typography>
            <Typography variant="body2">
              {termination.reason}
              {termination.exitCode !== undefined
                ? ` (exit code ${termination.exitCode})`
                : ''}
              {termination.finishedAt
                ? `, ${formatAge(termination.finishedAt)}`
                : ''}
            </Typography>
          </>
        )}
        {change && (
          <>
            <Typography variant="body2" color="textSecondary">
              Last rollout
            </Typography>
            <Typography variant="body2">
              <time dateTime={change.at} title={change.at}>
                {formatAge(change.at)}
              </time>
              {change.revision ? `, revision ${change.revision}` : ''}
              {change.image ? `, ${change.image.split('/').pop()}` : ''}
            </Typography>
          </>
        )}
      </Box>
      {workload.problems.length > 0 && (
        <ul
          className={`${classes.problems} ${classes.wrap}`}
          aria-label="Problems"
        >
          {workload.problems.map((problem, i) => (
            <Problem key={i} problem={problem} workload={workload} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Overview card with the health of an entity's workloads: ready against desired pods, recent
 * restarts, the last termination, crash loops, failing probes, pending pods, stuck rollouts, failed
 * Jobs, and the last rollout or run, with each problem's pod logs one click away.
 *
 * @public
 */
export function EntityPodHealthCard() {
  const { entity } = useEntity();
  const classes = useStyles();
  const entityRoute = useRouteRef(entityRouteRef);
  const { loading, error, summary, noClusters } = usePodHealth(entity);

  const tabLink = `${entityRoute(entityRouteParams(entity))}/kubernetes`;
  const footer = <Link to={tabLink}>Kubernetes tab</Link>;

  let content;
  if (!summary && loading) {
    content = <Progress />;
  } else if (!summary) {
    content = (
      <ResponseErrorPanel
        error={
          new Error(
            `Could not load pod health: ${
              error ?? 'no answer from the kubernetes backend'
            }`,
          )
        }
      />
    );
  } else {
    const selector = podSelectorOf(entity);
    const clusters = new Set(summary.workloads.map(w => w.cluster));
    content = (
      <>
        {summary.clusterErrors.length > 0 && (
          <WarningPanel
            severity="error"
            defaultExpanded
            title={
              summary.workloads.length > 0
                ? 'Some pods could not be read'
                : 'The Kubernetes cluster could not be read'
            }
            message={
              <>
                {summary.clusterErrors.map((e, i) => (
                  <Typography variant="body2" key={i} className={classes.wrap}>
                    {e.message}
                  </Typography>
                ))}
              </>
            }
          />
        )}
        {summary.workloads.length === 0 &&
          summary.clusterErrors.length === 0 &&
          (noClusters ? (
            <EmptyState
              missing="info"
              title="No Kubernetes cluster connected"
              description="This portal has no cluster configured, so it cannot show pods. To connect one, add kubernetes.clusterLocatorMethods to app-config.local.yaml (locally, `kubectl proxy` and type: localKubectlProxy; the README's Kubernetes section)."
            />
          ) : (
            <EmptyState
              missing="data"
              title="No pods"
              description={`No pods match the label selector ${
                selector.labelSelector
              }${
                selector.namespace
                  ? ` in namespace ${selector.namespace}`
                  : ' in any namespace'
              } in any configured cluster. The selector comes from the annotation ${
                selector.annotation
              }.`}
            />
          ))}
        {summary.workloads.map(w => (
          <Workload
            key={`${w.cluster}/${w.kind}/${w.name}`}
            workload={w}
            showCluster={clusters.size > 1}
            windowMs={summary.windowMs}
          />
        ))}
      </>
    );
  }

  return (
    <EntityInfoCard title="Pod health" footerActions={footer}>
      {content}
    </EntityInfoCard>
  );
}
