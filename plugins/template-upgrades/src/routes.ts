import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Template upgrades page. @public */
export const rootRouteRef = createRouteRef();
