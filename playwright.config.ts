import { defineConfig } from '@playwright/test';

/*
 * Browser tests: Debian's Chromium (/usr/bin/chromium, installed by scripts/system-deps.sh)
 * against the real backend serving the production build of the app (`yarn workspace app build`),
 * on its own port and its own SQLite directory so a running dev portal is left alone.
 */
const PORT = Number(process.env.E2E_PORT ?? 7017);
export const BASE_URL = `http://localhost:${PORT}`;
/** The stand-in GitHub host e2e/serve.mjs starts (e2e/git-host-stand-in.mjs) and the token it accepts. */
const GIT_PORT = Number(process.env.E2E_GIT_PORT ?? 7018);
export const GIT_HOST_URL = `http://127.0.0.1:${GIT_PORT}`;
/** The Grafana stand-in (e2e/grafana-stand-in.mjs): the instance the e2e config configures. */
const GRAFANA_PORT = Number(process.env.E2E_GRAFANA_PORT ?? 7019);
export const GRAFANA_URL = `http://127.0.0.1:${GRAFANA_PORT}`;
export const GIT_HOST_TOKEN = process.env.E2E_GIT_TOKEN ?? 'e2e-git-host-token';
/**
 * The Azure DevOps stand-in e2e/serve.mjs starts
 * (plugins/scaffolder-backend-module-azure-devops/testing) and the PAT it accepts.
 */
const AZURE_DEVOPS_PORT = Number(process.env.E2E_AZURE_DEVOPS_PORT ?? 7020);
export const AZURE_DEVOPS_URL = `http://127.0.0.1:${AZURE_DEVOPS_PORT}`;
export const AZURE_DEVOPS_TOKEN =
  process.env.E2E_AZURE_DEVOPS_TOKEN ?? 'e2e-azure-devops-pat';

export default defineConfig({
  testDir: 'e2e',
  // The newcomer test runs the start configuration instead: playwright.newcomer.config.ts.
  testIgnore: 'newcomer.spec.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'e2e-artifacts/results',
  webServer: {
    command: 'node e2e/serve.mjs',
    url: `${BASE_URL}/.backstage/health/v1/readiness`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      E2E_PORT: String(PORT),
      E2E_GIT_PORT: String(GIT_PORT),
      E2E_GIT_TOKEN: GIT_HOST_TOKEN,
      E2E_GRAFANA_PORT: String(GRAFANA_PORT),
      E2E_AZURE_DEVOPS_PORT: String(AZURE_DEVOPS_PORT),
      E2E_AZURE_DEVOPS_TOKEN: AZURE_DEVOPS_TOKEN,
    },
  },
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
