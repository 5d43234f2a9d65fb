// Exit 0 when the PostgreSQL at argv[2] accepts a query within 3 s.
import pg from 'pg';
const client = new pg.Client({ connectionString: process.argv[2], connectionTimeoutMillis: 3000 });
try {
  await client.connect();
  await client.query('select 1');
  await client.end();
  process.exit(0);
} catch (err) {
  console.error(String(err?.message ?? err));
  process.exit(1);
}
