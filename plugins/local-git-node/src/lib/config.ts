/*
 * The `localGit` settings, read the same way by the server's start script, the URL reader and the
 * publish action. Node imports this file directly (type stripping): erasable TypeScript only.
 */
import type { Config } from '@backstage/config';
import { isLoopbackUrl } from '../server/localGitServer.ts';

/** The config key of the local git server's settings. @public */
export const LOCAL_GIT_CONFIG_KEY = 'localGit';

/** The local git server as the portal reaches it. @public */
export interface LocalGitConfig {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  /** `127.0.0.1:<port>`: the host of the template's repository URL (`<host>?repo=<name>`). */
  host: string;
  /** The token for creating repositories and pushing; undefined when not set. */
  token?: string;
}

/**
 * The `localGit` settings, or undefined when there are none (production: `localGit: null`). A
 * base URL that is not `http://` on loopback is refused with a message naming the setting.
 *
 * @public
 */
export function readLocalGitConfig(config: Config): LocalGitConfig | undefined {
  const section = config.getOptionalConfig(LOCAL_GIT_CONFIG_KEY);
  if (!section) {
    return undefined;
  }
  const raw = section.getString('baseUrl');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `${LOCAL_GIT_CONFIG_KEY}.baseUrl '${raw}' is not a URL; give the server's address, e.g. http://127.0.0.1:7008`,
    );
  }
  if (url.protocol !== 'http:' || !isLoopbackUrl(url) || !url.port) {
    throw new Error(
      `${LOCAL_GIT_CONFIG_KEY}.baseUrl '${raw}' must be http:// on loopback with a port, e.g. http://127.0.0.1:7008: the local git server is for this machine only`,
    );
  }
  if (url.pathname !== '/' || url.search) {
    throw new Error(
      `${LOCAL_GIT_CONFIG_KEY}.baseUrl '${raw}' must have no path: the server answers at its root`,
    );
  }
  const token = section.getOptionalString('token') || undefined;
  return { baseUrl: url.origin, host: url.host, token };
}
