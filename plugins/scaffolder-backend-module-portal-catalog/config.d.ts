export interface Config {
  permission?: {
    portalPolicy?: {
      /**
       * URL prefixes (ending in `/`) under which the templates' `portal:catalog:register` step may
       * register a new service's catalog file, as the portal, for users who may not register
       * locations themselves, e.g. `https://dev.azure.com/<organization>/`.
       */
      registerableLocations?: string[];
    };
  };
}
