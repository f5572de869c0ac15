import contract from '@internal/image-worker/contract';
import { mockServices } from '@backstage/backend-test-utils';
import { generateSigningKey, SigningKeyVault } from './signingKeys';

describe('generateSigningKey', () => {
  it('makes a new key of a length the Worker accepts each time', () => {
    const keys = new Set(Array.from({ length: 20 }, generateSigningKey));
    expect(keys.size).toBe(20);
    for (const key of keys) {
      expect(key.length).toBeGreaterThanOrEqual(
        contract.limits.signingKey.minLength,
      );
      expect(key.length).toBeLessThanOrEqual(
        contract.limits.signingKey.maxLength,
      );
    }
  });
});

describe('SigningKeyVault', () => {
  const store = new Map<string, unknown>();
  const cache = {
    get: async (k: string) => store.get(k),
    set: async (k: string, v: unknown) => {
      store.set(k, v);
    },
    delete: async (k: string) => {
      store.delete(k);
    },
  };

  it('gives the key once to its user, and keeps only sealed bytes in the cache', async () => {
    const vault = new SigningKeyVault({ cache: cache as any });
    const id = await vault.put(
      'the-signing-key-0123456789abcdef',
      'user:default/ann',
    );
    expect(JSON.stringify([...store])).not.toContain('the-signing-key');
    expect(await vault.take(id, 'user:default/ben')).toBeUndefined();
    expect(
      await vault.take(`${id.split('.')[0]}.wrong`, 'user:default/ann'),
    ).toBeUndefined();
  });

  it('is worth nothing after the first read', async () => {
    const vault = new SigningKeyVault({ cache: cache as any });
    const id = await vault.put(
      'another-signing-key-0123456789ab',
      'user:default/ann',
    );
    expect(await vault.take(id, 'user:default/ann')).toBe(
      'another-signing-key-0123456789ab',
    );
    expect(await vault.take(id, 'user:default/ann')).toBeUndefined();
  });

  it('uses the backend cache with a time to live', async () => {
    const mock = mockServices.cache.mock();
    const vault = new SigningKeyVault({ cache: mock });
    await vault.put('k'.repeat(40), 'user:default/ann');
    expect(mock.set).toHaveBeenCalledWith(
      expect.stringMatching(/^signing-key:/),
      expect.objectContaining({ user: 'user:default/ann' }),
      { ttl: 15 * 60 * 1000 },
    );
  });
});
