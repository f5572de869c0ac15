/*
 * The Review page names every value with the form's own label, also the fields the pages add
 * in `if`/`then` branches, and the help texts keep their placeholders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { reviewLabels, reviewRows } from './lib/reviewLabels';
import {
  acrValues,
  dockerHubValues,
  templateDir as serviceDir,
} from './pythonDashboardService.fixtures';

const optimizerDir = path.resolve(__dirname, '../cloudflare-image-optimizer');
const redeployDir = path.resolve(__dirname, '../cloudflare-image-redeploy');

/** Every field title of the template, in its pages and their branches. */
function titles(templateDir: string): Set<string> {
  const found = new Set<string>();
  const walk = (node: any) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries<any>(node)) {
        if (key === 'properties') {
          for (const field of Object.values<any>(value)) {
            if (field?.title) found.add(field.title);
          }
        }
        walk(value);
      }
    }
  };
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  walk(template.spec.parameters);
  return found;
}

const cloudflareRoute = {
  name: 'shop-images',
  description: 'Resized product photos for the shop',
  owner: 'group:default/platform-team',
  accountId: '0123456789abcdef0123456789abcdef',
  placement: 'route',
  engine: 'auto',
  zoneId: 'fedcba9876543210fedcba9876543210',
  routePattern: 'images.example.com/*',
  allowedOrigins: ['assets.example.com'],
  maxSourceMiB: 25,
  maxMegapixels: 12,
  originTimeoutMs: 10000,
  imagesPerMonth: 3000,
  signUrls: true,
  repoUrl: 'github.com?owner=acme&repo=shop-images',
};

describe('the Review page', () => {
  it.each([
    [
      'python-dashboard-service, Docker Hub and GitHub',
      serviceDir,
      dockerHubValues,
    ],
    ['python-dashboard-service, ACR and Azure Repos', serviceDir, acrValues],
    ['cloudflare-image-optimizer on a route', optimizerDir, cloudflareRoute],
    [
      'cloudflare-image-redeploy with signed URLs',
      redeployDir,
      {
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
      },
    ],
  ])(
    'of %s names every value with a label of the form, none made up from its key',
    (_title, dir, values) => {
      const labels = reviewLabels(dir, values as Record<string, unknown>);
      const formTitles = titles(dir);
      const madeUp = Object.entries(labels).filter(
        ([, label]) => !formTitles.has(label),
      );
      expect(madeUp).toEqual([]);
      expect(Object.keys(labels).length).toBeGreaterThan(5);
    },
  );

  it('shows the conditional fields under their own titles, e.g. the GitHub service connection', () => {
    expect(reviewLabels(serviceDir, dockerHubValues)).toMatchObject({
      dockerHubNamespace: 'Docker Hub namespace',
      githubServiceConnection: 'GitHub service connection',
      pipelineOrganization: 'Azure DevOps organization',
    });
    expect(reviewLabels(optimizerDir, cloudflareRoute)).toMatchObject({
      zoneId: expect.not.stringMatching(/^Zone Id$/),
      routePattern: expect.not.stringMatching(/^Route Pattern$/),
    });
  });

  it('shows the image registry by its option title, not its value', () => {
    const rows = reviewRows(serviceDir, dockerHubValues);
    expect(rows.find(row => row.key === 'registryType')).toEqual({
      key: 'registryType',
      name: 'Image registry',
      value: 'Docker Hub',
    });
    expect(
      reviewRows(serviceDir, acrValues).find(row => row.key === 'registryType')
        ?.value,
    ).toBe('Azure Container Registry');
  });

  it('lists the PodMonitor labels in one row under the form title, each label by its own key', () => {
    const rows = reviewRows(serviceDir, acrValues).filter(row =>
      row.key.startsWith('podMonitorLabels'),
    );
    expect(rows).toEqual([
      {
        key: 'podMonitorLabels',
        name: "PodMonitor labels the cluster's Prometheus selects",
        value: acrValues.podMonitorLabels,
      },
    ]);
  });

  it('leaves out what it must not show: the Azure DevOps access field', () => {
    expect(
      reviewLabels(serviceDir, { ...dockerHubValues, azureDevOpsAccess: 'x' }),
    ).not.toHaveProperty('azureDevOpsAccess');
  });
});

describe('help texts', () => {
  it.each([serviceDir, optimizerDir, redeployDir])(
    'of %s keep their <placeholders> in code spans, which the form shows as written',
    dir => {
      const text = fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8');
      const template = parseYaml(text);
      const descriptions: string[] = [];
      const walk = (node: any) => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === 'object') {
          if (typeof node.description === 'string') {
            descriptions.push(node.description);
          }
          Object.values(node).forEach(walk);
        }
      };
      walk(template.spec.parameters);
      // The form renders descriptions as Markdown, which drops <word> outside code as HTML.
      const bare = descriptions.filter(d =>
        /<[a-z][^>]*>/i.test(d.replace(/`[^`]*`/g, '')),
      );
      expect(bare).toEqual([]);
    },
  );
});
