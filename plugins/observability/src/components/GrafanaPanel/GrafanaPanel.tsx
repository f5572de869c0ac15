/** @public */
export interface GrafanaPanelProps {
  /** A d-solo URL from `buildPanelUrl`. */
  src: string;
  /** Accessible name of the frame. */
  title: string;
  height: number;
}

/**
 * One Grafana panel in an iframe: lazily loaded, without a referrer, titled for screen readers.
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
      style={{ border: 0, width: '100%', height, display: 'block' }}
    />
  );
}
