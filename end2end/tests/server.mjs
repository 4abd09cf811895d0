// Starts the real portal server on a free port with a fresh database (SQLite; a new PostgreSQL
// database on the server PORTAL_E2E_POSTGRES names, when set) and a small demo county, and stops
// it afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const root = resolve(import.meta.dirname, '..', '..');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function psql(adminUrl, sql) {
  const r = spawnSync('psql', [adminUrl, '-qc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
}

/// A fresh database: a SQLite file in `dir`, or a PostgreSQL database dropped by `drop()`.
function freshDatabase(dir) {
  const admin = process.env.PORTAL_E2E_POSTGRES;
  if (!admin) return { url: `sqlite://${join(dir, 'portal.db')}`, drop() {} };
  const name = `portal_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${name}`);
  return {
    url: admin.replace(/\/[^/]*$/, `/${name}`),
    drop() {
      psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function startServer({ size = 2000, counties = 1 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
  const port = await freePort();
  const bin = process.env.PORTAL_SERVER_BIN || join(root, 'target', 'debug', 'server');
  const database = freshDatabase(dir);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    PORTAL_DATA_KEY: randomBytes(32).toString('hex'),
    PORTAL_ADDR: `127.0.0.1:${port}`,
    PORTAL_SITE_ROOT: process.env.PORTAL_SITE_ROOT || join(root, 'target', 'site'),
    PORTAL_INDEX_DIR: join(dir, 'index'),
    PORTAL_DEMO: 'true',
    PORTAL_DEMO_PEOPLE: String(size),
    PORTAL_DEMO_COUNTIES: String(counties),
    RUST_LOG: 'warn',
  };
  // Load the demo first: the command prints people to try the self-check with.
  const demo = spawnSync(bin, ['demo'], { cwd: dir, env, encoding: 'utf8' });
  if (demo.status !== 0) {
    database.drop();
    throw new Error(`server demo failed: ${demo.stderr}`);
  }
  const people = [...demo.stdout.matchAll(/ID (\S+)\s+phone (\d+)/g)].map((m) => ({ id: m[1], phone: m[2] }));
  const tracked = /case (\d{8}-\d{4,5}(?:-\d{6})?)\s+phone (\d+)/.exec(demo.stdout);
  const exampleCase = tracked ? { no: tracked[1], phone: tracked[2] } : null;
  const receipt = /receipt ([0-9A-Z]{5,}-[0-9A-Z]{4})/.exec(demo.stdout)?.[1] ?? null;
  const staffPassword = /password ([^\s:]+)/.exec(demo.stdout)?.[1];
  // The server's output goes to stderr: a test file's stdout is the test runner's own channel
  // (serialized messages), and a line written into it between two messages breaks the run.
  const child = spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', 2, 2] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server did not start within 180 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    people,
    exampleCase,
    receipt,
    staffPassword,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      database.drop();
    },
  };
}
