import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Deploy the image Worker on a route of a zone with signed URLs, using the owner group's token; the engine defaults to cloudflare (Image Transformations) on a route",
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          name: 'Deploy the image Worker',
          input: {
            scriptName: 'shop-images',
            entityRef: 'component:default/shop-images',
            owner: 'group:default/web-team',
            accountId: '0123456789abcdef0123456789abcdef',
            allowedOrigins: ['assets.example.com'],
            signUrls: true,
            placement: {
              type: 'route',
              zoneId: 'fedcba9876543210fedcba9876543210',
              pattern: 'images.example.com/*',
            },
          },
        },
      ],
    }),
  },
  {
    description:
      'Deploy on workers.dev with the WASM engine (needs Workers Paid for its CPU time), tighter limits and an R2 bucket that stores each transformation once',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          name: 'Deploy the image Worker',
          input: {
            scriptName: 'blog-images',
            entityRef: 'component:default/blog-images',
            owner: 'group:default/web-team',
            accountId: '0123456789abcdef0123456789abcdef',
            compatibilityDate: '2025-11-01',
            engine: 'wasm',
            allowedOrigins: ['blog.example.com', 'cdn.example.com'],
            limits: {
              maxSourceBytes: 10485760,
              maxPixels: 12000000,
              originTimeoutMs: 5000,
            },
            derivativesBucket: 'blog-image-derivatives',
            placement: { type: 'workersDev' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Take over a script or route the portal did not deploy (members of cloudflare.takeoverGroups only)',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          input: {
            scriptName: 'docs-images',
            entityRef: 'component:default/docs-images',
            owner: 'group:default/platform-team',
            accountId: '0123456789abcdef0123456789abcdef',
            allowedOrigins: ['docs.example.com'],
            placement: {
              type: 'route',
              zoneId: 'fedcba9876543210fedcba9876543210',
              pattern: 'docs.example.com/img/*',
            },
            takeover: true,
          },
        },
      ],
    }),
  },
];
