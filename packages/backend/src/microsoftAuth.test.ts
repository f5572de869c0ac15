/*
 * Microsoft sign-in is optional: the production config alone needs none of its variables, and the
 * provider exists only when app-config.microsoft.yaml is loaded. Then the real auth backend with the
 * real Microsoft module sends the user to Entra ID for an Azure DevOps token, with the app
 * registration of the configured tenant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import authPlugin from '@backstage/plugin-auth-backend';
import microsoftProvider from '@backstage/plugin-auth-backend-module-microsoft-provider';
import request from 'supertest';
import { parse } from 'yaml';
import { findMissingVariables } from './preflight';

const ROOT = path.resolve(__dirname, '../../..');
const read = (name: string) => fs.readFileSync(path.join(ROOT, name), 'utf8');
const MICROSOFT_VARIABLES = [
  'AUTH_MICROSOFT_CLIENT_ID',
  'AUTH_MICROSOFT_CLIENT_SECRET',
  'AUTH_MICROSOFT_TENANT_ID',
];
// The form field's scope (plugins/scaffolder-module-azure-devops-token).
const AZURE_DEVOPS_SCOPE =
  '499b84ac-1321-427f-aa17-267ca6975798/user_impersonation';

async function startAuthBackend(providers: JsonObject) {
  return startTestBackend({
    features: [
      authPlugin,
      microsoftProvider,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { environment: 'production', providers },
        },
      }),
    ],
  });
}

describe('optional Microsoft sign-in', () => {
  it('is not required by the production config', () => {
    const missing = findMissingVariables(
      'app-config.production.yaml',
      read('app-config.production.yaml'),
      {},
    ).map(m => m.variable);
    expect(missing.length).toBeGreaterThan(0);
    for (const variable of MICROSOFT_VARIABLES) {
      expect(missing).not.toContain(variable);
    }
  });

  it('requires its three variables once app-config.microsoft.yaml is loaded', () => {
    expect(
      findMissingVariables(
        'app-config.microsoft.yaml',
        read('app-config.microsoft.yaml'),
        {},
      ).map(m => `${m.variable} ${m.setting}`),
    ).toEqual([
      'AUTH_MICROSOFT_CLIENT_ID auth.providers.microsoft.production.clientId',
      'AUTH_MICROSOFT_CLIENT_SECRET auth.providers.microsoft.production.clientSecret',
      'AUTH_MICROSOFT_TENANT_ID auth.providers.microsoft.production.tenantId',
    ]);
  });

  it('leaves the auth backend without a Microsoft provider when it is not configured', async () => {
    const backend = await startAuthBackend({});
    try {
      const res = await request(backend.server).get(
        '/api/auth/microsoft/start?env=production',
      );
      expect(res.status).toBe(404);
    } finally {
      await backend.stop();
    }
  });

  it("sends the user to the tenant's Entra ID for an Azure DevOps token when configured", async () => {
    const text = read('app-config.microsoft.yaml')
      .replaceAll('${AUTH_MICROSOFT_CLIENT_ID}', 'portal-client-id')
      .replaceAll('${AUTH_MICROSOFT_CLIENT_SECRET}', 'portal-client-secret')
      .replaceAll('${AUTH_MICROSOFT_TENANT_ID}', 'contoso-tenant-id');
    const config = parse(text);
    expect(config.scaffolder.azureDevOpsUserToken.provider).toBe('microsoft');
    // No sign-in resolvers: the provider hands out tokens, it does not sign users in.
    expect(config.auth.providers.microsoft.production.signIn).toBeUndefined();

    const backend = await startAuthBackend(config.auth.providers);
    try {
      const res = await request(backend.server).get(
        `/api/auth/microsoft/start?env=production&scope=${encodeURIComponent(
          AZURE_DEVOPS_SCOPE,
        )}`,
      );
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(
        'https://login.microsoftonline.com/contoso-tenant-id/oauth2/v2.0/authorize',
      );
      expect(location.searchParams.get('client_id')).toBe('portal-client-id');
      expect(location.searchParams.get('scope')!.split(' ')).toEqual(
        expect.arrayContaining([AZURE_DEVOPS_SCOPE, 'offline_access']),
      );
      expect(res.headers.location).not.toContain('portal-client-secret');
    } finally {
      await backend.stop();
    }
  });
});
