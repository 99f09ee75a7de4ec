// @ts-check
// The table the postgresStore's ordered claim is measured on, for its plan test and its benchmark: ROWS
// rows, row g keyed to a scattered one of KEYS keys unless g % 10 = 0; the first 1 % wait for a retry
// (their keys' later rows held back), the next 500 are leased by another worker. Filled in SQL, with
// the non-constraint indexes built after the load (a sort each, as a bulk load would), then analyzed.

/**
 * Fills `table` (a migrated outbox table, empty) and answers the names of the indexes it rebuilt.
 * @param {{ query: (text: string) => Promise<{ rows: any[] }> }} pool
 * @param {string} table
 * @param {number} rows
 * @param {number} keys
 * @returns {Promise<string[]>}
 */
export async function fillClaimTable(pool, table, rows, keys) {
  const { rows: indexes } = await pool.query(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enable3_outbox' AND indexname NOT IN (SELECT conname FROM pg_constraint)",
  );
  for (const index of indexes) await pool.query(`DROP INDEX public.${index.indexname}`);
  const waiting = rows / 100;
  await pool.query(
    `INSERT INTO ${table} (kind, id, body, ordering_key, not_before, lease_owner, lease_until)
SELECT 'event', 'e' || g, '{}'::jsonb,
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || ((g::bigint * 7919) % ${keys}) END,
  CASE WHEN g <= ${waiting} THEN now() + interval '1 hour' ELSE now() - interval '1 hour' + g * interval '1 millisecond' END,
  CASE WHEN g BETWEEN ${waiting + 1} AND ${waiting + 500} THEN 'another-worker' END,
  CASE WHEN g BETWEEN ${waiting + 1} AND ${waiting + 500} THEN now() + interval '1 hour' END
FROM generate_series(1, ${rows}) AS g`,
  );
  for (const index of indexes) await pool.query(index.indexdef);
  await pool.query(`VACUUM ANALYZE ${table}`);
  return indexes.map((index) => index.indexname);
}
