import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/*
 * The newcomer browser test (e2e/newcomer.spec.ts): the start configuration, app-config.yaml
 * with the local git server (e2e/serve-newcomer.mjs), none of the stand-ins. Its own ports, so it
 * runs beside the other browser tests' portal.
 */
const PORT = Number(process.env.E2E_NEWCOMER_PORT ?? 7027);
const GIT_PORT = Number(process.env.E2E_NEWCOMER_GIT_PORT ?? 7028);
/** The local git server of the newcomer run. */
export const NEWCOMER_GIT_URL = `http://127.0.0.1:${GIT_PORT}`;

export default defineConfig({
  ...base,
  testMatch: 'newcomer.spec.ts',
  testIgnore: [],
  outputDir: 'e2e-artifacts/newcomer-results',
  webServer: {
    command: 'node e2e/serve-newcomer.mjs',
    url: `http://localhost:${PORT}/.backstage/health/v1/readiness`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      E2E_NEWCOMER_PORT: String(PORT),
      E2E_NEWCOMER_GIT_PORT: String(GIT_PORT),
    },
  },
  use: { ...base.use, baseURL: `http://localhost:${PORT}` },
});
