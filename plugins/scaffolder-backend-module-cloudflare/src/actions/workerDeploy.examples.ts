import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Deploy the image Worker on a route of a zone, with signed URLs; the signing key comes from a Secret form field',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          name: 'Deploy the image Worker',
          input: {
            scriptName: 'shop-images',
            accountId: '0123456789abcdef0123456789abcdef',
            engine: 'cloudflare',
            allowedOrigins: ['assets.example.com'],
            signUrls: true,
            signingKeySecret: 'signingKey',
            route: {
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
      'Deploy on workers.dev with the WASM engine and tighter limits, using the token from app-config',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          name: 'Deploy the image Worker',
          input: {
            scriptName: 'blog-images',
            accountId: '0123456789abcdef0123456789abcdef',
            compatibilityDate: '2025-11-01',
            engine: 'wasm',
            allowedOrigins: ['blog.example.com', 'cdn.example.com'],
            limits: {
              maxSourceBytes: 10485760,
              maxPixels: 16000000,
              originTimeoutMs: 5000,
            },
            workersDev: true,
          },
        },
      ],
    }),
  },
  {
    description: 'Use an API token that the user enters in a Secret form field',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloudflare:worker:deploy',
          input: {
            scriptName: 'docs-images',
            accountId: '0123456789abcdef0123456789abcdef',
            engine: 'wasm',
            allowedOrigins: ['docs.example.com'],
            apiTokenSecret: 'cloudflareApiToken',
            workersDev: true,
          },
        },
      ],
    }),
  },
];
