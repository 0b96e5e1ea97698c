// Creates DATABASE_URL's database when it is missing (CREATE DATABASE on the server's `postgres`
// database). One line and exit 1 when the server does not answer: the fix is named, no stack.
'use strict';
const { Client } = require('pg');
const { URL } = require('node:url');

async function main() {
  const target = new URL(process.env.DATABASE_URL);
  const name = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    process.stderr.write(
      `PostgreSQL at ${target.hostname}:${target.port || 5432} does not answer (${err.code ?? err.message}): ` +
        'start it with `bash scripts/ensure-services.sh` or set DATABASE_URL\n',
    );
    process.exit(1);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      process.stderr.write(`created database ${name}\n`);
    }
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`cannot create the database: ${err.message}\n`);
  process.exit(1);
});
