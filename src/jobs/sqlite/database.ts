/**
 * The SQLite file behind the embedded queue: one file, WAL so readers never block the writer, and
 * a busy timeout so several processes on one machine take turns instead of failing with SQLITE_BUSY.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  repo TEXT NOT NULL,
  installation_id INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  run_after INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  progress TEXT,
  result TEXT,
  error TEXT,
  cancel_by TEXT,
  cancel_reason TEXT,
  cancel_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_claim ON jobs (state, priority DESC, seq);
CREATE INDEX IF NOT EXISTS jobs_repo ON jobs (repo, seq);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_seen ON deliveries (seen_at);
CREATE TABLE IF NOT EXISTS rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL);
`;

export function openJobsDatabase(path: string, busyTimeoutMs = 5000): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${Math.floor(busyTimeoutMs)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  transaction(db, () => db.exec(SCHEMA));
  return db;
}

/**
 * BEGIN IMMEDIATE takes the write lock up front, so a read-then-write (claim, cancel) cannot be
 * interleaved with another process's. The callback must be synchronous: no awaits inside.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
