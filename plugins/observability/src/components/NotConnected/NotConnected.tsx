import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { CONNECT_GRAFANA_DOCS } from '../../lib/docs';

/**
 * One line for a card or tab whose backend the portal has not configured, and a link to the
 * docs that say how to connect it; the configuration itself is for the platform team, not for
 * everyone who opens an entity page.
 *
 * @public
 */
export function NotConnected(props: { message: string }) {
  return (
    <Typography variant="body2">
      {props.message} <Link to={CONNECT_GRAFANA_DOCS}>How to connect one</Link>
    </Typography>
  );
}
