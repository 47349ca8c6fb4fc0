// The floor of the server-start figure: what any server on this stack must do before it listens (load Fastify and
// better-sqlite3, open the SQLite file, listen), and nothing else. Argument: the SQLite file.
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const db = new Database(process.argv[2] as string);
db.pragma('journal_mode = WAL');
const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
