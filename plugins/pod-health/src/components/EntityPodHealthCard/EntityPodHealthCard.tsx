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
import type { PodProblem } from '../../lib/problems';
import type { HealthStatus, WorkloadHealth } from '../../lib/summary';
import { formatAge } from './format';

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
  // Pod names, URLs and scheduler messages are long words: wrap them inside the card.
  wrap: { overflowWrap: 'anywhere' },
}));

const STATUS_LABEL: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
};

function StatusLabel(props: { status: HealthStatus }) {
  const label = STATUS_LABEL[props.status];
  if (props.status === 'healthy') return <StatusOK>{label}</StatusOK>;
  if (props.status === 'degraded')
    return <StatusWarning>{label}</StatusWarning>;
  return <StatusError>{label}</StatusError>;
}

function Problem(props: { problem: PodProblem }) {
  const { problem } = props;
  return (
    <li>
      <Typography variant="body2">
        <strong>{problem.reason}</strong> in {problem.pod}
        {problem.container ? ` (${problem.container})` : ''}
        {problem.message ? `: ${problem.message}` : ''}
        {problem.at ? `, ${formatAge(problem.at)}` : ''}
      </Typography>
    </li>
  );
}

function Workload(props: { workload: WorkloadHealth; showCluster: boolean }) {
  const { workload, showCluster } = props;
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
        <Typography variant="body2" color="textSecondary">
          Ready
        </Typography>
        <Typography variant="body2">
          {workload.ready}/{workload.desired} pods ready
          {workload.pods !== workload.desired
            ? ` (${workload.pods} running or starting)`
            : ''}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          Restarts
        </Typography>
        <Typography variant="body2">{workload.restarts}</Typography>
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
            <Problem key={i} problem={problem} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Overview card with the health of an entity's pods: ready against desired, restarts, the last
 * termination, crash loops, failing probes, pending pods and the last rollout.
 *
 * @public
 */
export function EntityPodHealthCard() {
  const { entity } = useEntity();
  const classes = useStyles();
  const entityRoute = useRouteRef(entityRouteRef);
  const { loading, error, summary } = usePodHealth(entity);

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
    const annotations = entity.metadata.annotations ?? {};
    const id =
      annotations['backstage.io/kubernetes-id'] ?? entity.metadata.name;
    const namespace = annotations['backstage.io/kubernetes-namespace'];
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
          summary.clusterErrors.length === 0 && (
            <EmptyState
              missing="data"
              title="No pods"
              description={`No pods labelled backstage.io/kubernetes-id=${id}${
                namespace ? ` in namespace ${namespace}` : ''
              } in any configured cluster.`}
            />
          )}
        {summary.workloads.map(w => (
          <Workload
            key={`${w.cluster}/${w.kind}/${w.name}`}
            workload={w}
            showCluster={clusters.size > 1}
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
