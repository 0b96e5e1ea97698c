import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { createDatabase, dropDatabase } from '../../support/database';
import { baseDatabaseUrl, runId } from '../../support/test-env';

const root = resolve(__dirname, '../../..');

/** Everything about a schema that the application depends on, as sorted text lines. */
async function describeSchema(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const queries = [
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      `SELECT 'constraint ' || tc.table_name || ' ' || tc.constraint_type || ' ' || tc.constraint_name
         FROM information_schema.table_constraints tc WHERE tc.table_schema = 'public' AND tc.table_name <> '_prisma_migrations' AND tc.constraint_type <> 'CHECK'`,
      `SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
      `SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
      `SELECT 'fk ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'`,
    ];
    const lines: string[] = [];
    for (const q of queries) {
      const { rows } = await client.query<{ '?column?': string }>(q);
      lines.push(...rows.map((r) => Object.values(r)[0] as string));
    }
    return lines.sort();
  } finally {
    await client.end();
  }
}

/**
 * What migrations add that schema.prisma cannot say (Prisma has no INCLUDE columns): each must be
 * in the migrated database exactly once; beyond them, the two databases must be identical.
 */
const MIGRATION_ONLY: RegExp[] = [
  // 20261204170000_gradebook_cells_index: the gradebook's index-only scan (src/courses/gradebook.service.ts).
  /^index CREATE INDEX submissions_gradebook_cells_idx ON public\.submissions USING btree \(assignment_id, user_id, created_at DESC, id DESC\) INCLUDE \(score, credit, practice_reason, status\)$/,
];

describe('committed migrations', () => {
  const base = baseDatabaseUrl();
  const fromSchemaDb = `dockgrader_schema_${runId()}`;

  afterAll(async () => {
    await dropDatabase(base, fromSchemaDb);
  });

  it('produce exactly the database that prisma/schema.prisma describes', async () => {
    // The database migrated by the global setup, against one built straight from schema.prisma.
    const migratedUrl = process.env.DATABASE_URL!;
    const schemaUrl = await createDatabase(base, fromSchemaDb);
    const sql = execFileSync(
      'bash',
      [
        'scripts/prisma.sh',
        'migrate',
        'diff',
        '--from-empty',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--script',
      ],
      { cwd: root, env: { ...process.env, DATABASE_URL: schemaUrl }, encoding: 'utf8' },
    )
      .split('\n')
      .filter((l) => !l.startsWith('Loaded Prisma config'))
      .join('\n');
    const client = new Client({ connectionString: schemaUrl });
    await client.connect();
    await client.query(sql);
    await client.end();

    const migrated = await describeSchema(migratedUrl);
    const expected = await describeSchema(schemaUrl);
    expect(migrated.length).toBeGreaterThan(40);
    for (const only of MIGRATION_ONLY) expect(migrated.filter((l) => only.test(l))).toHaveLength(1);
    expect(migrated.filter((l) => !MIGRATION_ONLY.some((only) => only.test(l)))).toEqual(expected);
  });

  it('are recorded as applied in _prisma_migrations', async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, finished_at FROM _prisma_migrations');
    await client.end();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });
});
