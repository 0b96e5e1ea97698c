import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from './test-env';

const root = resolve(__dirname, '../..');

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE). */
export async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createDatabase(baseUrl: string, name: string): Promise<string> {
  await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
  return withDatabase(baseUrl, name);
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Applies the committed migrations with the same offline command operators use. */
export function migrate(databaseUrl: string): void {
  execFileSync('bash', ['scripts/prisma.sh', 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'pipe',
  });
}
