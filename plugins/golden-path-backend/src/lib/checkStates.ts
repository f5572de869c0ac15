import type { Knex } from 'knex';
import type { CheckId, CheckState } from '@internal/plugin-golden-path-node';

/** Since when each check of an entity has held its current state. @public */
export interface CheckStateStore {
  /**
   * Records the states seen at `now` and returns, per check, when its current state began: the
   * stored time when the state is unchanged, `now` when it is new or changed.
   */
  record(
    entityRef: string,
    seen: { id: CheckId; state: CheckState }[],
    now: Date,
  ): Promise<Record<string, string>>;
}

const TABLE = 'golden_path_check_states';

interface Row {
  entity_ref: string;
  check_id: string;
  state: string;
  since: string;
}

/**
 * The states in the plugin's database, so that "since" survives a restart and every replica
 * answers the same.
 *
 * @public
 */
export class DatabaseCheckStateStore implements CheckStateStore {
  private readonly db: Knex;

  constructor(options: { db: Knex }) {
    this.db = options.db;
  }

  async record(
    entityRef: string,
    seen: { id: CheckId; state: CheckState }[],
    now: Date,
  ): Promise<Record<string, string>> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    const rows = await this.db<Row>(TABLE).where({ entity_ref: ref });
    const stored = new Map(rows.map(r => [r.check_id, r]));
    const since: Record<string, string> = {};
    const changed: Row[] = [];
    for (const { id, state } of seen) {
      const prev = stored.get(id);
      if (prev && prev.state === state) {
        since[id] = prev.since;
      } else {
        since[id] = now.toISOString();
        changed.push({
          entity_ref: ref,
          check_id: id,
          state,
          since: since[id],
        });
      }
    }
    if (changed.length) {
      await this.db<Row>(TABLE)
        .insert(changed)
        .onConflict(['entity_ref', 'check_id'])
        .merge(['state', 'since']);
    }
    return since;
  }
}
