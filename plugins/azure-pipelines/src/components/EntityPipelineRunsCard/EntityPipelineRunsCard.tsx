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
} from '@backstage/core-components';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import type { PipelineRun } from '../../api/AzurePipelinesApi';
import { usePipelineRuns } from '../../hooks/usePipelineRuns';

/** The run's outcome in words, and the status icon that goes with it. */
function RunStatus({ run }: { run: PipelineRun }) {
  if (run.state !== 'completed') {
    return run.state === 'inProgress' ? (
      <StatusRunning>Running</StatusRunning>
    ) : (
      <StatusPending>{run.state}</StatusPending>
    );
  }
  switch (run.result) {
    case 'succeeded':
      return <StatusOK>Succeeded</StatusOK>;
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
        <ResponseErrorPanel error={error} />
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
                  run.createdDate
                    ? new Date(run.createdDate).toLocaleString()
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
