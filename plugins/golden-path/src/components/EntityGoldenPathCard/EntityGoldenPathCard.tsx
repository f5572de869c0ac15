import { useEffect, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import type { GoldenPathCheck } from '../../api/GoldenPathApi';
import { useGoldenPath } from '../../hooks/useGoldenPath';
import { GOLDEN_PATH_SOURCES_DOCS } from '../../lib/docs';
import { CHECK_TITLES, describeState } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  // Icon, then the text, which wraps inside the card: selectors and URLs are long words.
  row: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(1.5),
    overflowWrap: 'anywhere',
    '& + &': { marginTop: theme.spacing(1.5) },
  },
  pass: { color: theme.palette.success.main },
  fail: { color: theme.palette.error.main },
  unavailable: { color: theme.palette.text.secondary },
  evidence: { marginRight: theme.spacing(2) },
  firstFailing: {
    borderLeft: `4px solid ${theme.palette.error.main}`,
    paddingLeft: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
}));

const ICONS = {
  pass: CheckCircleIcon,
  fail: ErrorIcon,
  unavailable: HelpOutlineIcon,
};

function CheckRow(props: {
  check: GoldenPathCheck;
  now: number;
  first: boolean;
}) {
  const { check, now, first } = props;
  const classes = useStyles();
  const Icon = ICONS[check.state];
  const title = CHECK_TITLES[check.id];
  const state = describeState(check.state, check.since, now);
  return (
    <li
      className={classes.row}
      aria-label={`${title}: ${state.split(' (')[0]}`}
    >
      <Icon className={classes[check.state]} aria-hidden />
      <div>
        <Typography component="span" variant="subtitle2">
          {title}
        </Typography>{' '}
        <Typography component="span" variant="caption" color="textSecondary">
          {state}
        </Typography>
        <Typography variant="body2" component="div">
          {check.summary}
        </Typography>
        {check.evidence?.length ? (
          <Box>
            {check.evidence.map(e =>
              e.url ? (
                <Link key={e.title} to={e.url} className={classes.evidence}>
                  {e.title}
                </Link>
              ) : (
                <Typography
                  key={e.title}
                  variant="caption"
                  color="textSecondary"
                  className={classes.evidence}
                >
                  {e.title}
                </Typography>
              ),
            )}
          </Box>
        ) : null}
        {first ? (
          <Box
            className={classes.firstFailing}
            role="note"
            aria-label="Cause and fix"
          >
            <Typography variant="body2" component="div">
              <strong>Cause:</strong> {check.cause}
            </Typography>
            <Typography variant="body2" component="div">
              <strong>Fix:</strong> {check.fix}
            </Typography>
          </Box>
        ) : null}
      </div>
    </li>
  );
}

/**
 * The Golden path card: whether the entity's service is built, deployed, scraped, logging, on
 * its dashboard and alerting, as of the last check; since when each holds or fails; the first
 * failing check's cause and fix; and what the portal cannot check, with why. With none of the
 * checks' sources configured (a local run), one line and a link to the docs instead.
 *
 * @public
 */
export function EntityGoldenPathCard() {
  const classes = useStyles();
  const { entity } = useEntity();
  const { loading, error, report, checkNow, checking } = useGoldenPath(entity);
  // Re-render once a minute so "for N minutes" stays true while the page is open.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => setNow(Date.now()), [report]);

  const action = (
    <Button
      variant="outlined"
      size="small"
      onClick={checkNow}
      disabled={checking || loading}
    >
      {checking ? 'Checking…' : 'Check now'}
    </Button>
  );

  let content;
  if (loading && !report) {
    content = <Progress />;
  } else if (error && !report) {
    content = <ResponseErrorPanel error={error} />;
  } else if (report?.noSourceConfigured) {
    // Six "cannot check" lines would all say the same: nothing is connected here.
    content = (
      <>
        {error ? <ResponseErrorPanel error={error} /> : null}
        <Typography variant="body2">
          No source of these checks (Azure DevOps, a Kubernetes cluster,
          Prometheus, Loki, Grafana) is configured here.{' '}
          <Link to={GOLDEN_PATH_SOURCES_DOCS}>How to connect them</Link>
        </Typography>
      </>
    );
  } else if (report) {
    const unavailable = report.checks.filter(c => c.state === 'unavailable');
    content = (
      <>
        {error ? <ResponseErrorPanel error={error} /> : null}
        <ul className={classes.list} aria-label="Golden path checks">
          {report.checks.map(c => (
            <CheckRow
              key={c.id}
              check={c}
              now={now}
              first={c.id === report.firstFailing}
            />
          ))}
        </ul>
        {unavailable.length === report.checks.length ? (
          <WarningPanel
            severity="info"
            title="The portal cannot perform any of these checks here"
            message="Each check above says what it needs to be configured."
          />
        ) : null}
        <Typography variant="caption" color="textSecondary">
          Checked{' '}
          {new Date(report.checkedAt).toLocaleString('en-GB', {
            timeZone: 'UTC',
          })}{' '}
          UTC
        </Typography>
      </>
    );
  }

  return (
    <EntityInfoCard title="Golden path" headerActions={action}>
      {content}
    </EntityInfoCard>
  );
}
