// Starts the real portal server on a free port with a fresh database (SQLite; a new PostgreSQL
// database on the server PORTAL_E2E_POSTGRES names, when set) and a small demo county, and stops
// it afterwards. The demo is loaded once per server binary, backend and size; each test file
// starts from its own copy of it.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

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

/// The loaded demo of this binary, backend, size and counties: made by the first test file that
/// asks (files run one at a time), kept under the system's temporary directory, and replaced when
/// the binary changes. `{ dataKey, pgName, stdout }`; the SQLite file is `portal.db` in `dir`.
function demoTemplate(bin, size, counties) {
  const admin = process.env.PORTAL_E2E_POSTGRES;
  const { size: bytes, mtimeMs } = statSync(bin);
  const stamp = createHash('sha256').update(`${bin}|${bytes}|${mtimeMs}`).digest('hex').slice(0, 10);
  const variant = `${admin ? 'pg' : 'sqlite'}_${size}_${counties}`;
  const base = join(tmpdir(), 'portal-e2e-demos');
  const dir = join(base, stamp, variant);
  const made = join(dir, 'demo.json');
  if (existsSync(made)) return { dir, ...JSON.parse(readFileSync(made, 'utf8')) };
  // Another binary's demos are of no more use.
  for (const old of existsSync(base) ? readdirSync(base) : []) {
    if (old !== stamp) rmSync(join(base, old), { recursive: true, force: true });
  }
  if (admin) {
    const r = spawnSync('psql', [admin, '-Atc', "SELECT datname FROM pg_database WHERE datname LIKE 'portal_e2e_demo_%'"], { encoding: 'utf8' });
    for (const name of (r.stdout || '').split('\n').filter((n) => n && !n.startsWith(`portal_e2e_demo_${stamp}`))) {
      psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dataKey = randomBytes(32).toString('hex');
  const pgName = admin ? `portal_e2e_demo_${stamp}_${variant}` : null;
  if (admin) {
    psql(admin, `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    psql(admin, `CREATE DATABASE ${pgName}`);
  }
  const env = {
    ...process.env,
    DATABASE_URL: admin ? admin.replace(/\/[^/]*$/, `/${pgName}`) : `sqlite://${join(dir, 'portal.db')}`,
    PORTAL_DATA_KEY: dataKey,
    PORTAL_INDEX_DIR: join(dir, 'index'),
    PORTAL_DEMO: 'true',
    PORTAL_DEMO_PEOPLE: String(size),
    PORTAL_DEMO_COUNTIES: String(counties),
    RUST_LOG: 'warn',
  };
  // The command prints people to try the self-check with, a case, a receipt and the password.
  const demo = spawnSync(bin, ['demo'], { cwd: dir, env, encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(`server demo failed: ${demo.stderr}`);
  const template = { dataKey, pgName, stdout: demo.stdout };
  writeFileSync(made, JSON.stringify(template));
  return { dir, ...template };
}

/// A fresh copy of the demo: a SQLite file in `dir`, or a PostgreSQL database dropped by `drop()`.
function freshDatabase(dir, template) {
  const admin = process.env.PORTAL_E2E_POSTGRES;
  if (!admin) {
    for (const file of readdirSync(template.dir).filter((f) => f.startsWith('portal.db'))) {
      copyFileSync(join(template.dir, file), join(dir, file));
    }
    return { url: `sqlite://${join(dir, 'portal.db')}`, drop() {} };
  }
  const name = `portal_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${name} TEMPLATE ${template.pgName}`);
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
  const template = demoTemplate(bin, size, counties);
  const database = freshDatabase(dir, template);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    PORTAL_DATA_KEY: template.dataKey,
    PORTAL_ADDR: `127.0.0.1:${port}`,
    PORTAL_SITE_ROOT: process.env.PORTAL_SITE_ROOT || join(root, 'target', 'site'),
    PORTAL_INDEX_DIR: join(dir, 'index'),
    PORTAL_DEMO: 'true',
    PORTAL_DEMO_PEOPLE: String(size),
    PORTAL_DEMO_COUNTIES: String(counties),
    RUST_LOG: 'warn',
  };
  const demo = { stdout: template.stdout };
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
