export interface Config {
  /**
   * The local git server `./scripts/start.sh` runs on loopback (plugins/local-git-node). Only in
   * the local defaults: app-config.production.yaml sets it to null, and the portal then neither
   * offers nor reads it.
   */
  localGit?: {
    /** Where the server listens and the portal reaches it: http:// on loopback with a port. */
    baseUrl: string;
    /**
     * The token for creating repositories and pushing (LOCAL_GIT_TOKEN; start.sh generates one
     * per run). Cloning needs none.
     * @visibility secret
     */
    token?: string;
  };
}
