import { Fragment } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import CircularProgress from '@material-ui/core/CircularProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  Content,
  ContentHeader,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { ServiceUpgradeStatus } from '@internal/plugin-template-upgrades-common';
import { ServiceRun, useFleetUpgrades } from '../../hooks/useFleetUpgrades';
import {
  describeResult,
  describeState,
  formatVersion,
  isSelectable,
  whyNotSelectable,
} from '../../lib/format';
import { UpgradeDetails } from './UpgradeDetails';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
    alignItems: 'center',
  },
  template: { minWidth: 240 },
  behind: { color: theme.palette.warning.dark, fontWeight: 500 },
  reason: { display: 'block' },
  error: { color: theme.palette.error.main },
  details: { paddingTop: 0, borderBottomWidth: 1 },
  // Versions, states and names are short words: keep them whole, let the reasons wrap.
  nowrap: { whiteSpace: 'nowrap' },
  intro: { marginBottom: theme.spacing(2) },
  noBorder: { '& > td': { borderBottom: 'none' } },
}));

function nameOf(service: ServiceUpgradeStatus): string {
  return service.title ?? parseEntityRef(service.entityRef).name;
}

function Outcome(props: { run?: ServiceRun }) {
  const { run } = props;
  const classes = useStyles();
  if (!run) return null;
  if (run.running) {
    return (
      <Box display="flex" alignItems="center" gridGap={8}>
        <CircularProgress size={16} aria-hidden />
        <Typography variant="body2">
          {run.running === 'dry-run' ? 'Dry run…' : 'Opening pull request…'}
        </Typography>
      </Box>
    );
  }
  if (run.error) {
    return (
      <Typography variant="body2" role="alert" className={classes.error}>
        {run.error}
      </Typography>
    );
  }
  const last = run.result ?? run.dryRun;
  if (!last) return null;
  return (
    <Typography variant="body2">
      {last.pullRequest ? (
        <Link to={last.pullRequest.url}>{describeResult(last)}</Link>
      ) : (
        describeResult(last)
      )}
    </Typography>
  );
}

/**
 * Every service made from a template, its version and the latest, its state and open upgrade
 * pull request. The services the user may upgrade and that are behind can be selected; a dry
 * run shows what each would change, then their pull requests are opened or updated.
 *
 * @public
 */
export function TemplateUpgradesPage() {
  const classes = useStyles();
  const fleet = useFleetUpgrades();
  const { services, selected, runs, busy, ready } = fleet;

  let body;
  if (fleet.loading && !services) {
    body = <Progress />;
  } else if (fleet.error && !services) {
    body = <ResponseErrorPanel error={fleet.error} />;
  } else if (services && services.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No service made from a template yet"
        description="Services created on Create with a template that records its version appear here."
      />
    );
  } else if (services) {
    const selectable = services.filter(isSelectable);
    body = (
      <>
        <Box className={classes.actions} mb={2}>
          {fleet.templates.length > 1 ? (
            <TextField
              select
              size="small"
              variant="outlined"
              id="template-upgrades-template"
              label="Template"
              className={classes.template}
              value={fleet.template ?? ''}
              disabled={busy}
              onChange={e => fleet.setTemplate(e.target.value || undefined)}
              SelectProps={{ native: true }}
            >
              <option value="">All templates</option>
              {fleet.templates.map(name => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </TextField>
          ) : null}
          <Button
            variant="outlined"
            color="primary"
            disabled={busy || selected.size === 0}
            onClick={fleet.dryRun}
          >
            Dry run ({selected.size})
          </Button>
          <Button
            variant="contained"
            color="primary"
            disabled={busy || ready.length === 0}
            onClick={fleet.openPullRequests}
          >
            Open pull requests ({ready.length})
          </Button>
        </Box>
        <Table size="small" aria-label="Services made from a template">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">
                <Checkbox
                  inputProps={{ 'aria-label': 'Select every service behind' }}
                  disabled={busy || selectable.length === 0}
                  checked={
                    selectable.length > 0 && selected.size === selectable.length
                  }
                  indeterminate={
                    selected.size > 0 && selected.size < selectable.length
                  }
                  onChange={fleet.toggleAll}
                />
              </TableCell>
              <TableCell>Service</TableCell>
              <TableCell className={classes.nowrap}>Template</TableCell>
              <TableCell className={classes.nowrap}>Version</TableCell>
              <TableCell className={classes.nowrap}>Latest</TableCell>
              <TableCell className={classes.nowrap}>State</TableCell>
              <TableCell className={classes.nowrap}>Pull request</TableCell>
              <TableCell>Upgrade</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {services.map(service => {
              const name = nameOf(service);
              const run = runs.get(service.entityRef);
              const shown = run?.running
                ? undefined
                : run?.result ?? run?.dryRun;
              const reason = whyNotSelectable(service);
              return (
                <Fragment key={service.entityRef}>
                  <TableRow
                    aria-label={name}
                    className={shown ? classes.noBorder : undefined}
                  >
                    <TableCell padding="checkbox">
                      <Checkbox
                        inputProps={{ 'aria-label': `Select ${name}` }}
                        disabled={busy || !isSelectable(service)}
                        checked={selected.has(service.entityRef)}
                        onChange={() => fleet.toggle(service.entityRef)}
                      />
                    </TableCell>
                    <TableCell>
                      <EntityRefLink
                        entityRef={service.entityRef}
                        hideIcon
                        disableTooltip
                      >
                        {name}
                      </EntityRefLink>
                      {reason ? (
                        <Typography
                          variant="caption"
                          color="textSecondary"
                          className={classes.reason}
                        >
                          {reason}
                        </Typography>
                      ) : null}
                    </TableCell>
                    <TableCell className={classes.nowrap}>
                      {service.template.name}
                    </TableCell>
                    <TableCell>
                      {formatVersion(service.template.version)}
                    </TableCell>
                    <TableCell>
                      {formatVersion(service.template.latest)}
                    </TableCell>
                    <TableCell
                      className={`${classes.nowrap} ${
                        service.state === 'behind' ? classes.behind : ''
                      }`}
                    >
                      {describeState(service)}
                    </TableCell>
                    <TableCell>
                      {service.pullRequest ? (
                        <Link to={service.pullRequest.url}>
                          #{service.pullRequest.number}
                        </Link>
                      ) : (
                        '—'
                      )}
                    </TableCell>
                    <TableCell>
                      <Outcome run={run} />
                    </TableCell>
                  </TableRow>
                  {shown ? (
                    <TableRow>
                      <TableCell />
                      <TableCell colSpan={7} className={classes.details}>
                        <UpgradeDetails
                          result={shown}
                          label={`What the upgrade of ${name} changes`}
                        />
                      </TableCell>
                    </TableRow>
                  ) : null}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      </>
    );
  }

  return (
    <Content>
      <ContentHeader title="Services made from a template" />
      <Typography variant="body2" className={classes.intro}>
        Select the services behind their template, dry-run them to see what each
        pull request would change, then open the pull requests. Each pull
        request merges the template's changes into the service's main branch:
        the team's own edits are kept, and conflicts are committed with markers
        for the team to resolve.
      </Typography>
      {body}
    </Content>
  );
}
