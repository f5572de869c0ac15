import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { AuthenticationError } from '@backstage/errors';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import type { PipelineRun } from '../../api/AzurePipelinesApi';
import { RUNS_ORDER, RUNS_SHOWN } from '../../api/AzurePipelinesClient';
import { usePipelineRuns } from '../../hooks/usePipelineRuns';

/** The order the card asks Azure DevOps for, in words; another `RUNS_ORDER` needs its own. */
const ORDER_IN_WORDS: Record<typeof RUNS_ORDER, string> = {
  queueTimeDescending: 'most recently queued first',
};
const ORDER_SHOWN = `Latest ${RUNS_SHOWN} runs, ${ORDER_IN_WORDS[RUNS_ORDER]}`;

/** The run's outcome in words (BuildStatus, BuildResult of REST 7.1), with its status icon. */
function RunStatus({ run }: { run: PipelineRun }) {
  switch (run.status) {
    case 'completed':
      break;
    case 'inProgress':
      return <StatusRunning>Running</StatusRunning>;
    case 'notStarted':
      return <StatusPending>Queued</StatusPending>;
    case 'postponed':
      return <StatusPending>Postponed</StatusPending>;
    case 'cancelling':
      return <StatusAborted>Canceling</StatusAborted>;
    default:
      return <StatusPending>{run.status}</StatusPending>;
  }
  switch (run.result) {
    case 'succeeded':
      return <StatusOK>Succeeded</StatusOK>;
    case 'partiallySucceeded':
      return <StatusWarning>Partially succeeded</StatusWarning>;
    case 'failed':
      return <StatusError>Failed</StatusError>;
    case 'canceled':
      return <StatusAborted>Canceled</StatusAborted>;
    default:
      return <StatusPending>{run.result ?? 'unknown'}</StatusPending>;
  }
}

/**
 * The entity's pipeline and its latest runs, each linking to Azure DevOps.
 *
 * @public
 */
export function EntityPipelineRunsCard() {
  const { value, loading, error } = usePipelineRuns();

  if (loading) {
    return (
      <InfoCard title="Pipeline runs">
        <Progress />
      </InfoCard>
    );
  }
  if (error) {
    return (
      <InfoCard title="Pipeline runs">
        {AuthenticationError.is(error) ? (
          <WarningPanel
            severity="error"
            title="Azure DevOps did not accept the portal's token"
            message={error.message}
            defaultExpanded
          />
        ) : (
          <ResponseErrorPanel error={error} />
        )}
      </InfoCard>
    );
  }
  if (!value) {
    return null;
  }
  const { ref, found } = value;
  if (!found) {
    return (
      <InfoCard title="Pipeline runs">
        <EmptyState
          missing="data"
          title="No pipeline yet"
          description={`Project ${ref.project} of ${ref.organization} has no pipeline named ${ref.pipelineName}. The service template creates it; run the template again, or create the pipeline on azure-pipelines.yml.`}
        />
      </InfoCard>
    );
  }
  return (
    <InfoCard
      title="Pipeline runs"
      subheader={ORDER_SHOWN}
      deepLink={{ title: 'Open the pipeline', link: found.pipelineUrl }}
    >
      {found.runs.length === 0 ? (
        <EmptyState
          missing="data"
          title="No runs yet"
          description={`The pipeline ${ref.pipelineName} has not run.`}
        />
      ) : (
        <List dense aria-label="Pipeline runs">
          {found.runs.map(run => (
            <ListItem key={run.id}>
              <ListItemText
                primary={
                  <>
                    <RunStatus run={run} />{' '}
                    <Link to={run.url}>Run {run.name}</Link>
                  </>
                }
                secondary={
                  run.queueTime
                    ? `Queued ${new Date(run.queueTime).toLocaleString()}`
                    : undefined
                }
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
