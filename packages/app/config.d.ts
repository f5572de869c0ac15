export interface Config {
  app?: {
    signIn?: {
      /**
       * Sign-in methods offered on the sign-in page: `guest` for local use, `github` in
       * production (needs auth.providers.github).
       * @visibility frontend
       */
      providers?: Array<'guest' | 'github'>;
    };
  };
}
