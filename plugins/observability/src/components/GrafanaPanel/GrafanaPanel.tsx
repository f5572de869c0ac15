/** @public */
export interface GrafanaPanelProps {
  /** A d-solo URL from `buildPanelUrl`. */
  src: string;
  /** Accessible name of the frame. */
  title: string;
  height: number;
}

/**
 * What a panel frame may do. Panels render with scripts and need Grafana's own origin for its
 * session cookie and API calls (`allow-scripts allow-same-origin`); links in panels open in a new
 * tab (`allow-popups`, escaping the sandbox so Grafana works there). Not allowed: navigating the
 * portal (`allow-top-navigation`), forms, downloads, modals. Safe only because Grafana is on
 * another origin than the portal, which the backend checks at start-up.
 *
 * @public
 */
export const PANEL_SANDBOX =
  'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox';

/**
 * One Grafana panel in a sandboxed iframe: lazily loaded, without a referrer, titled for screen
 * readers.
 *
 * @public
 */
export function GrafanaPanel(props: GrafanaPanelProps) {
  const { src, title, height } = props;
  return (
    <iframe
      src={src}
      title={title}
      loading="lazy"
      referrerPolicy="no-referrer"
      sandbox={PANEL_SANDBOX}
      style={{ border: 0, width: '100%', height, display: 'block' }}
    />
  );
}
