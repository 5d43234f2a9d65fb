// The floor for bench/api.ts: a bare Fastify route doing the same SQLite
// read as GET …/Application/{id}/ — no auth, no validation, no envelope.
import Fastify from 'fastify';
import SQLite from 'better-sqlite3';

const [dbPath] = process.argv.slice(2);
const db = new SQLite(dbPath, { readonly: true });
const stmt = db.prepare('select * from applications where app_id = ?');
const app = Fastify();
app.get('/app/:id', async (req) => stmt.get((req.params as { id: string }).id));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
