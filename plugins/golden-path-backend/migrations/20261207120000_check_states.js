// @ts-check

/**
 * Since when each check of each entity has been in its current state. One row per entity and
 * check, kept across restarts and shared by every replica of the portal.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('golden_path_check_states', table => {
    table.comment(
      'Since when each golden-path check of an entity holds or fails',
    );
    table.string('entity_ref').notNullable().comment('component:default/name');
    table.string('check_id', 32).notNullable().comment('built, deployed, ...');
    table
      .string('state', 16)
      .notNullable()
      .comment('pass, fail or unavailable');
    table
      .string('since', 32)
      .notNullable()
      .comment('ISO 8601 time the state was first seen');
    table.primary(['entity_ref', 'check_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('golden_path_check_states');
};
