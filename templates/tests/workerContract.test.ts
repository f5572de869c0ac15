/*
 * The image templates ask for the Worker's settings with the Worker's own defaults, ranges and
 * patterns (worker/src/contract.json); a change on either side without the other fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import contract from '@internal/image-worker/contract';

const templates = ['cloudflare-image-optimizer', 'cloudflare-image-redeploy'];

/**
 * Every property of every page by name, with what the `allOf` branches add (`withBranches`) or
 * as the page declares it.
 */
function properties(name: string, withBranches = true): Record<string, any> {
  const template = parseYaml(
    fs.readFileSync(
      path.resolve(__dirname, '..', name, 'template.yaml'),
      'utf8',
    ),
  );
  const all: Record<string, any> = {};
  for (const page of template.spec.parameters) {
    Object.assign(all, page.properties);
    for (const branch of withBranches ? page.allOf ?? [] : []) {
      for (const [key, value] of Object.entries<any>(
        branch.then?.properties ?? {},
      )) {
        all[key] = { ...all[key], ...value };
      }
    }
  }
  return all;
}

describe.each(templates)('%s and the Worker contract', name => {
  const props = properties(name);

  // The form asks in the units people size images in; the steps multiply them out.
  it.each([
    ['maxSourceMiB', 'maxSourceBytes', 1024 * 1024],
    ['maxMegapixels', 'maxPixels', 1_000_000],
    ['originTimeoutMs', 'originTimeoutMs', 1],
  ] as const)(
    'offers %s with the Worker default and the contract range of %s',
    (field, key, unit) => {
      expect({
        default: props[field].default * unit,
        minimum: props[field].minimum * unit,
        maximum: props[field].maximum * unit,
      }).toEqual({
        default: contract.defaults[key],
        minimum: contract.limits[key].min,
        maximum: contract.limits[key].max,
      });
    },
  );

  it('passes the Worker bytes and pixels, multiplying out what the form asks in MiB and megapixels', () => {
    const text = fs.readFileSync(
      path.resolve(__dirname, '..', name, 'template.yaml'),
      'utf8',
    );
    expect(text).toContain(
      'maxSourceBytes: ${{ parameters.maxSourceMiB * 1048576 }}',
    );
    expect(text).toContain(
      'maxPixels: ${{ parameters.maxMegapixels * 1000000 }}',
    );
    expect(text).not.toMatch(/parameters\.max(SourceBytes|Pixels)\b/);
  });

  it('checks image origins with the host pattern and the list limits', () => {
    expect(props.allowedOrigins.items.pattern).toBe(contract.patterns.host);
    expect([
      props.allowedOrigins.minItems,
      props.allowedOrigins.maxItems,
    ]).toEqual([
      contract.limits.allowedOrigins.minItems,
      contract.limits.allowedOrigins.maxItems,
    ]);
  });

  it('checks the route and the zone id with the contract patterns', () => {
    expect(props.routePattern.pattern).toBe(contract.patterns.routePattern);
    expect(props.zoneId.pattern).toBe(contract.patterns.cloudflareId);
    // The redeploy template reads the account id from the Worker's catalog entity.
    expect(props.accountId?.pattern ?? contract.patterns.cloudflareId).toBe(
      contract.patterns.cloudflareId,
    );
  });

  it('checks the R2 bucket of the derivative store with the contract pattern', () => {
    expect(props.derivativesBucket.pattern).toBe(
      contract.patterns.r2BucketName,
    );
  });

  it('asks for no signing key: the portal generates it (of the contract length, lib/signingKeys.test.ts)', () => {
    expect(props.signingKey).toBeUndefined();
  });

  it('offers every engine of the contract, plus automatic', () => {
    expect(properties(name, false).engine.enum).toEqual([
      'auto',
      ...contract.engines,
    ]);
  });
});
