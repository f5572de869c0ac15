import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatFleetLine, upgradeFleet } from './fleet';

describe('upgradeFleet', () => {
  it('says which URL it cannot reach and which setting to check', async () => {
    // A port that was just free: nothing listens there.
    const server = http.createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise(resolve => server.close(resolve));
    await expect(
      upgradeFleet({
        baseUrl: `http://127.0.0.1:${port}/api/template-upgrades/`,
        token: 'secret-token-value',
      }),
    ).rejects.toThrow(
      `Cannot reach the portal at http://127.0.0.1:${port}/api/template-upgrades/services (connect ECONNREFUSED 127.0.0.1:${port}). Check PORTAL_API_URL`,
    );
  });

  it('prints a line per service and one per changed file, conflicts marked', () => {
    expect(
      formatFleetLine({
        entityRef: 'component:default/svc',
        outcome: 'dry-run',
        detail: 'svc 1.0.0 (latest 1.1.0)',
        changes: [
          { path: 'config/app.yaml', change: 'modified', conflict: true },
          {
            path: 'new-name.txt',
            change: 'renamed',
            from: 'old-name.txt',
            conflict: false,
          },
        ],
      }),
    ).toBe(
      [
        'dry-run  component:default/svc: svc 1.0.0 (latest 1.1.0)',
        '         modified (conflict) config/app.yaml',
        '         renamed new-name.txt (from old-name.txt)',
      ].join('\n'),
    );
  });
});
