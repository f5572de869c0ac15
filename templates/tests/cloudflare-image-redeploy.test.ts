import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import fs from 'node:fs';
import { DryRunBackend, startDryRunBackend } from './dryRun';
import { formErrors } from './lib/formValidation';

const templateDir = path.resolve(__dirname, '../cloudflare-image-redeploy');
const optimizerDir = path.resolve(__dirname, '../cloudflare-image-optimizer');

/** The entity the image optimizer template registered for `shop-images`. */
const workerEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop-images',
    namespace: 'default',
    uid: '2d5c6b0e-7a1f-4f3e-9a2b-0c1d2e3f4a5b',
    annotations: {
      'cloudflare.com/account-id': '0123456789abcdef0123456789abcdef',
      'cloudflare.com/worker-name': 'shop-images',
    },
    tags: ['cloudflare-worker', 'images'],
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/platform-team',
  },
};

const values = {
  entity: 'component:default/shop-images',
  placement: 'route',
  engine: 'auto',
  zoneId: 'fedcba9876543210fedcba9876543210',
  routePattern: 'img.example.com/*',
  allowedOrigins: ['assets.example.com'],
  maxSourceMiB: 25,
  maxMegapixels: 12,
  originTimeoutMs: 10000,
  imagesPerMonth: 3000,
  signUrls: true,
  rotateSigningKey: false,
};

let backend: DryRunBackend;

beforeAll(async () => {
  backend = await startDryRunBackend({
    entities: [workerEntity],
    features: [import('@internal/plugin-scaffolder-backend-module-cloudflare')],
    config: {
      cloudflare: {
        apiToken: 'portal-token-0123456789abcdef',
        portalTokenGroups: ['group:default/platform-team'],
      },
    },
  });
});

afterAll(async () => {
  await backend?.stop();
});

describe('cloudflare-image-redeploy', () => {
  it('accepts valid values in the form', () => {
    expect(formErrors(templateDir, values)).toEqual([]);
  });

  it('asks for the same Worker settings as the image optimizer, with the same rules', () => {
    const pages = (dir: string) =>
      parseYaml(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8')).spec
        .parameters;
    const [, ...redeploy] = pages(templateDir);
    const optimizer = pages(optimizerDir);
    const byTitle = (list: any[], title: string) =>
      list.find(p => p.title === title);
    expect(byTitle(redeploy, 'Images')).toEqual(byTitle(optimizer, 'Images'));
    // Signing is asked the same way; the redeploy can also replace the key.
    expect(Object.keys(byTitle(redeploy, 'Signed URLs').properties)).toEqual(
      Object.keys(byTitle(optimizer, 'Signed URLs').properties),
    );
    const { accountId, ...optimizerCloudflare } = byTitle(
      optimizer,
      'Cloudflare',
    ).properties;
    expect(accountId).toBeDefined();
    // The engine field differs only in where it finds the owner and account: the Worker's entity.
    const { engine, ...redeployCloudflare } = byTitle(
      redeploy,
      'Cloudflare',
    ).properties;
    const { engine: optimizerEngine, ...optimizerRest } = optimizerCloudflare;
    expect(redeployCloudflare).toEqual(optimizerRest);
    expect(engine).toEqual({
      ...optimizerEngine,
      'ui:options': { entityField: 'entity' },
    });
  });

  it("deploys the entity's Worker again from its catalog entry, in one step, without publishing a repository", async () => {
    const result = await backend.dryRun({
      templateDir,
      values,
    });
    expect(result.status).toBe(200);
    expect(result.steps.map(s => s.action)).toEqual([
      'catalog:fetch',
      'cloudflare:worker:deploy',
    ]);
    expect(result.steps[1].input).toMatchObject({
      scriptName: 'shop-images',
      entityRef: 'component:default/shop-images',
      accountId: '0123456789abcdef0123456789abcdef',
      placement: {
        type: 'route',
        zoneId: 'fedcba9876543210fedcba9876543210',
        pattern: 'img.example.com/*',
      },
    });
    const log = result.log.join('\n');
    expect(log).toContain(
      'Target: route img.example.com/* in zone fedcba9876543210fedcba9876543210; engine cloudflare',
    );
    expect(result.body.output.links[0]).toEqual({
      title: 'Image Worker',
      url: 'https://img.example.com/',
    });
    expect(log).toContain(
      'Owner: group:default/platform-team (from the catalog entity component:default/shop-images)',
    );
    expect(result.steps[1].input).not.toHaveProperty('owner');
  });

  it('binds the R2 bucket given in the form as the derivative store, and none when it is left empty', async () => {
    const withBucket = await backend.dryRun({
      templateDir,
      values: { ...values, derivativesBucket: 'shop-image-derivatives' },
    });
    expect(withBucket.status).toBe(200);
    expect(withBucket.steps[1].input).toMatchObject({
      derivativesBucket: 'shop-image-derivatives',
    });
    expect(withBucket.log.join('\n')).toContain(
      'DERIVATIVES=R2 bucket shop-image-derivatives',
    );

    const without = await backend.dryRun({
      templateDir,
      values,
    });
    expect(without.status).toBe(200);
    expect(without.steps[1].input).not.toHaveProperty('derivativesBucket');
    expect(without.log.join('\n')).not.toContain('DERIVATIVES');
  });
});
