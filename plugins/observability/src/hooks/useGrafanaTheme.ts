import { useTheme } from '@material-ui/core/styles';
import { GrafanaTheme } from '../lib/urls';

/**
 * The Grafana theme matching the active Backstage theme.
 *
 * @public
 */
export function useGrafanaTheme(): GrafanaTheme {
  return useTheme().palette.type === 'dark' ? 'dark' : 'light';
}
