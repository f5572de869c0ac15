import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * Route of the legacy routable "Observability" entity content.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'observability' });
