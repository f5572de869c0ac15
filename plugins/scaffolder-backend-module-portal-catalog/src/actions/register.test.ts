import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConflictError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import { createPortalCatalogRegisterAction } from './register';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.com' }],
      azure: [{ host: 'dev.azure.com' }],
    },
  }),
);

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop' },
  spec: { type: 'service', lifecycle: 'experimental', owner: 'group:a' },
};
const generatedLocation = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Location',
  metadata: { name: 'generated-0123' },
  spec: { target: 'x' },
};

/** The action's input; the test context is typed by what a test passes. */
type Input = {
  repoContentsUrl?: string;
  catalogInfoUrl?: string;
  catalogInfoPath?: string;
};
type HandlerContext = Parameters<
  ReturnType<typeof createPortalCatalogRegisterAction>['handler']
>[0];
const context = (input: Input, checkpoints?: Map<string, any>) => {
  const test = createTestActionContext<Input>({ input, checkpoints });
  return { ...test, ctx: test.ctx as unknown as HandlerContext };
};

function setUp(addLocation: jest.Mock) {
  const catalog = catalogServiceMock.mock({ addLocation });
  const action = createPortalCatalogRegisterAction({
    catalog,
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    integrations,
    registerableLocations: ['https://github.com/acme/'],
  });
  return { action, addLocation };
}

describe('portal:catalog:register', () => {
  it('registers a file under a configured prefix as the portal, and outputs the Component', async () => {
    const { action, addLocation } = setUp(
      jest.fn(async () => ({
        location: { id: '1', type: 'url', target: 'x' },
        entities: [generatedLocation, component],
      })),
    );
    const { ctx, outputs } = context({
      repoContentsUrl: 'https://github.com/acme/shop/tree/main',
    });
    await action.handler(ctx);

    const target = 'https://github.com/acme/shop/tree/main/catalog-info.yaml';
    expect(addLocation.mock.calls.map(c => c[0])).toEqual([
      { type: 'url', target },
      { type: 'url', target, dryRun: true },
    ]);
    // The portal's own service credentials, not the user's: users may not register locations.
    expect(addLocation.mock.calls[0][1].credentials.principal).toMatchObject({
      type: 'service',
      subject: 'plugin:scaffolder',
    });
    expect(outputs).toEqual({
      entityRef: 'component:default/shop',
      catalogInfoUrl: target,
    });
  });

  it('refuses a repository outside the configured prefixes, naming the setting, and registers nothing', async () => {
    const { action, addLocation } = setUp(jest.fn());
    const { ctx } = context({
      repoContentsUrl: 'https://github.com/other-org/shop/tree/main',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'https://github.com/other-org/shop/tree/main/catalog-info.yaml is not under a location the portal registers services from (permission.portalPolicy.registerableLocations: https://github.com/acme/)',
    );
    expect(addLocation).not.toHaveBeenCalled();
  });

  it('refuses a host without an integration', async () => {
    const { action, addLocation } = setUp(jest.fn());
    const { ctx } = context({
      repoContentsUrl: 'https://gitlab.example.com/acme/shop',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /No integration is configured for https:\/\/gitlab.example.com\/acme\/shop/,
    );
    expect(addLocation).not.toHaveBeenCalled();
  });

  it('registers from a host without an integration only when it is a registerable location (the local git server)', async () => {
    const addLocation = jest.fn(async () => ({ entities: [component] }));
    const catalog = catalogServiceMock.mock({ addLocation });
    const action = createPortalCatalogRegisterAction({
      catalog,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      integrations,
      registerableLocations: ['http://127.0.0.1:7008/'],
    });
    const { ctx, outputs } = context({
      repoContentsUrl: 'http://127.0.0.1:7008/shop/tree/main',
      catalogInfoPath: '/catalog-info.yaml',
    });
    await action.handler(ctx);
    const target = 'http://127.0.0.1:7008/shop/tree/main/catalog-info.yaml';
    expect(addLocation.mock.calls[0]).toEqual([
      { type: 'url', target },
      expect.anything(),
    ]);
    expect(outputs.catalogInfoUrl).toBe(target);

    await expect(
      action.handler(
        context({ repoContentsUrl: 'http://127.0.0.1:7009/shop/tree/main' })
          .ctx,
      ),
    ).rejects.toThrow(
      /No integration is configured for http:\/\/127.0.0.1:7009/,
    );
  });

  it('takes a catalog file URL instead, and refuses both or neither', async () => {
    const { action, addLocation } = setUp(
      jest.fn(async () => ({ entities: [component] })),
    );
    const catalogInfoUrl = 'https://github.com/acme/shop/blob/main/x.yaml';
    await action.handler(context({ catalogInfoUrl }).ctx);
    expect(addLocation.mock.calls[0][0]).toEqual({
      type: 'url',
      target: catalogInfoUrl,
    });
    for (const input of [
      {} as Input,
      { catalogInfoUrl, repoContentsUrl: 'https://github.com/acme/shop' },
    ]) {
      await expect(action.handler(context(input).ctx)).rejects.toThrow(
        'Give either repoContentsUrl (with an optional catalogInfoPath) or catalogInfoUrl',
      );
    }
  });

  it('goes on when a retried task finds the location it registered before', async () => {
    const addLocation = jest
      .fn()
      .mockRejectedValueOnce(new ConflictError('Location already exists'))
      .mockResolvedValueOnce({ entities: [component] });
    const { action } = setUp(addLocation);
    const { ctx, outputs, logLines } = context({
      repoContentsUrl: 'https://github.com/acme/shop/tree/main',
    });
    await action.handler(ctx);
    expect(outputs.entityRef).toBe('component:default/shop');
    expect(logLines.join('\n')).toMatch(/is already registered/);
  });

  it('does not register again when its checkpoint has passed', async () => {
    const addLocation = jest.fn(async (_request: any) => ({
      entities: [component],
    }));
    const { action } = setUp(addLocation);
    const checkpoints = new Map();
    const input = { repoContentsUrl: 'https://github.com/acme/shop/tree/main' };
    await action.handler(context(input, checkpoints).ctx);
    await action.handler(context(input, checkpoints).ctx);
    // one registration, and one dry run per attempt to read the entity ref
    expect(
      addLocation.mock.calls.filter((c: any[]) => !c[0].dryRun),
    ).toHaveLength(1);
  });
});
