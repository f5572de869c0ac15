import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import SubjectIcon from '@material-ui/icons/Subject';
import { PodLogs } from '@backstage/plugin-kubernetes-react';

/** The container whose logs explain a problem. */
export interface ProblemLogsTarget {
  cluster: { name: string; title?: string };
  namespace: string;
  pod: string;
  container: string;
  /** Which run's logs to open first: the one that ended (`previous`) or the one that runs. */
  initial: 'current' | 'previous';
}

/**
 * A "Logs" button that opens the pod's logs in the Kubernetes plugin's log viewer, on the run
 * that explains the problem: the previous container's for a crash or OOM kill.
 */
export function ProblemLogsDialog(props: { target: ProblemLogsTarget }) {
  const { target } = props;
  const [open, setOpen] = useState(false);
  const [which, setWhich] = useState(target.initial);
  const title = `Logs of ${target.pod} (${target.container}) in ${
    target.cluster.title ?? target.cluster.name
  }`;
  return (
    <>
      <Button
        size="small"
        color="primary"
        // The label must not wrap beside a long problem line.
        style={{ flexShrink: 0, whiteSpace: 'nowrap' }}
        startIcon={<SubjectIcon fontSize="small" />}
        aria-label={`Logs of ${target.pod} (${target.container})`}
        onClick={() => {
          setWhich(target.initial);
          setOpen(true);
        }}
      >
        Logs
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="xl"
        fullWidth
      >
        <DialogTitle>{title}</DialogTitle>
        <DialogContent>
          <Tabs
            value={which}
            onChange={(_e, value) => setWhich(value)}
            indicatorColor="primary"
            aria-label="Which run of the container"
          >
            <Tab value="previous" label="Previous container" />
            <Tab value="current" label="Current container" />
          </Tabs>
          {/*
           * PodLogs fetches once per container and ignores a change of `previous`, so each run
           * gets its own instance.
           */}
          <PodLogs
            key={which}
            previous={which === 'previous'}
            containerScope={{
              cluster: target.cluster,
              podNamespace: target.namespace,
              podName: target.pod,
              containerName: target.container,
            }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)} color="primary">
            Close
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
