import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { MarkdownContent } from '@backstage/core-components';
import type {
  UpgradeChange,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

const useStyles = makeStyles(theme => ({
  files: {
    margin: theme.spacing(0, 0, 1),
    paddingLeft: theme.spacing(2.5),
    fontFamily: theme.typography.fontFamily,
    '& code': { overflowWrap: 'anywhere' },
  },
  conflict: { color: theme.palette.error.main, fontWeight: 500 },
  // The template's own headings stay below the page's.
  summary: {
    borderLeft: `3px solid ${theme.palette.divider}`,
    paddingLeft: theme.spacing(1.5),
    '& h1, & h2, & h3': { fontSize: theme.typography.subtitle1.fontSize },
  },
}));

function describeChange(change: UpgradeChange): string {
  return change.change === 'renamed' && change.from
    ? `renamed from ${change.from}`
    : change.change;
}

/** What one upgrade changes: each file (conflicts marked) and the template's summary. */
export function UpgradeDetails(props: {
  result: UpgradeResult;
  label: string;
}) {
  const { result, label } = props;
  const classes = useStyles();
  return (
    <section aria-label={label}>
      {result.changes.length ? (
        <ul className={classes.files} aria-label="Files">
          {result.changes.map(c => (
            <li key={c.path}>
              <code>{c.path}</code>{' '}
              <Typography
                component="span"
                variant="body2"
                color="textSecondary"
              >
                {describeChange(c)}
              </Typography>
              {c.conflict ? (
                <Typography
                  component="span"
                  variant="body2"
                  className={classes.conflict}
                >
                  {' '}
                  conflict: committed with markers, to resolve in the pull
                  request
                </Typography>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {result.summary ? (
        <div className={classes.summary}>
          <Typography variant="overline" color="textSecondary">
            What changed in the template
          </Typography>
          <MarkdownContent content={result.summary} />
        </div>
      ) : null}
    </section>
  );
}
