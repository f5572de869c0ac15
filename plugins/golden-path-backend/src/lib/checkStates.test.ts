import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { DatabaseCheckStateStore } from './checkStates';

const MIGRATIONS = path.resolve(__dirname, '../../migrations');

/** The plugin's database as a SQLite file, as the portal keeps it locally, migrated. */
async function open(file: string): Promise<Knex> {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  await db.migrate.latest({ directory: MIGRATIONS });
  return db;
}

const REF = 'component:default/sales-dashboard';
const at = (iso: string) => new Date(iso);

describe('DatabaseCheckStateStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-path-states-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the start of an unchanged state and restarts it when the state changes', async () => {
    const db = await open(path.join(dir, 'golden-path.sqlite'));
    try {
      const store = new DatabaseCheckStateStore({ db });
      expect(
        await store.record(
          REF,
          [
            { id: 'deployed', state: 'fail' },
            { id: 'logging', state: 'fail' },
          ],
          at('2026-12-07T10:00:00Z'),
        ),
      ).toEqual({
        deployed: '2026-12-07T10:00:00.000Z',
        logging: '2026-12-07T10:00:00.000Z',
      });
      expect(
        await store.record(
          REF,
          [
            { id: 'deployed', state: 'pass' },
            { id: 'logging', state: 'fail' },
          ],
          at('2026-12-07T10:05:00Z'),
        ),
      ).toEqual({
        deployed: '2026-12-07T10:05:00.000Z',
        logging: '2026-12-07T10:00:00.000Z',
      });
    } finally {
      await db.destroy();
    }
  });

  it('keeps since when across a restart, and for the entity however its ref is spelled', async () => {
    const file = path.join(dir, 'golden-path.sqlite');
    const first = await open(file);
    await new DatabaseCheckStateStore({ db: first }).record(
      REF,
      [{ id: 'scraped', state: 'unavailable' }],
      at('2026-12-07T09:00:00Z'),
    );
    await first.destroy();

    const second = await open(file);
    try {
      expect(
        await new DatabaseCheckStateStore({ db: second }).record(
          'Component:default/Sales-Dashboard',
          [{ id: 'scraped', state: 'unavailable' }],
          at('2026-12-07T11:00:00Z'),
        ),
      ).toEqual({ scraped: '2026-12-07T09:00:00.000Z' });
    } finally {
      await second.destroy();
    }
  });

  it("keeps each entity's states apart", async () => {
    const db = await open(path.join(dir, 'golden-path.sqlite'));
    try {
      const store = new DatabaseCheckStateStore({ db });
      await store.record(
        REF,
        [{ id: 'built', state: 'pass' }],
        at('2026-12-07T09:00:00Z'),
      );
      expect(
        await store.record(
          'component:default/other',
          [{ id: 'built', state: 'pass' }],
          at('2026-12-07T10:00:00Z'),
        ),
      ).toEqual({ built: '2026-12-07T10:00:00.000Z' });
    } finally {
      await db.destroy();
    }
  });
});
