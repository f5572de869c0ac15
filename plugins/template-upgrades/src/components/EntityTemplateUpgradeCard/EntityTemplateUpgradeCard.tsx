import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';
import { useServiceUpgrade } from '../../hooks/useServiceUpgrade';
import {
  describeResult,
  describeState,
  errorLine,
  formatVersion,
  whyNotSelectable,
} from '../../lib/format';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  next: { marginTop: theme.spacing(2) },
  error: { color: theme.palette.error.main },
}));

function Facts(props: { status: ServiceUpgradeStatus }) {
  const { status } = props;
  const classes = useStyles();
  return (
    <dl className={classes.facts} aria-label="Template version">
      <dt>Template</dt>
      <dd>{status.template.name}</dd>
      <dt>This service</dt>
      <dd>{formatVersion(status.template.version)}</dd>
      <dt>Latest</dt>
      <dd>{formatVersion(status.template.latest)}</dd>
      <dt>State</dt>
      <dd>{describeState(status)}</dd>
    </dl>
  );
}

function Outcome(props: { result: UpgradeResult }) {
  const { result } = props;
  const conflicts = result.changes.filter(c => c.conflict);
  return (
    <Box role="status">
      <Typography variant="body2">{describeResult(result)}</Typography>
      {conflicts.length ? (
        <Typography variant="body2">
          Conflicts to resolve in the pull request:{' '}
          {conflicts.map(c => c.path).join(', ')}
        </Typography>
      ) : null}
    </Box>
  );
}

/**
 * The entity's template version, the template's latest, and a link to the open upgrade pull
 * request, or, for the service's owners, a button that opens one; others read why not.
 *
 * @public
 */
export function EntityTemplateUpgradeCard() {
  const classes = useStyles();
  const { entity } = useEntity();
  const { loading, error, status, open, opening, result, openError } =
    useServiceUpgrade(stringifyEntityRef(entity));

  let content;
  if (loading && !status) {
    content = <Progress />;
  } else if (error && !status) {
    content =
      ResponseError.is(error) && error.statusCode === 404 ? (
        <Typography variant="body2">{errorLine(error)}</Typography>
      ) : (
        <ResponseErrorPanel error={error} />
      );
  } else if (status) {
    let next;
    // The one just opened, until the status read again names it.
    const pullRequest = status.pullRequest ?? result?.pullRequest;
    if (pullRequest) {
      next = (
        <Link to={pullRequest.url}>
          Upgrade pull request #{pullRequest.number}
        </Link>
      );
    } else if (status.state === 'behind' && status.canUpgrade) {
      next = (
        <Button
          variant="contained"
          color="primary"
          size="small"
          onClick={open}
          disabled={opening}
        >
          {opening ? 'Opening…' : 'Open upgrade pull request'}
        </Button>
      );
    } else {
      next = (
        <Typography variant="body2" color="textSecondary">
          {whyNotSelectable(status)}
        </Typography>
      );
    }
    content = (
      <>
        <Facts status={status} />
        <Box className={classes.next}>{next}</Box>
        {result ? <Outcome result={result} /> : null}
        {openError ? (
          <Typography variant="body2" role="alert" className={classes.error}>
            {errorLine(openError)}
          </Typography>
        ) : null}
      </>
    );
  }

  return <EntityInfoCard title="Template upgrade">{content}</EntityInfoCard>;
}
