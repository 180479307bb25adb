/**
 * How the CLI reaches a store: `--sqlite <file>` (better-sqlite3) or `--postgres <url>` (pg; the
 * environment's `INCIDENTKIT_DATABASE_URL` when neither is given). Both drivers are optional
 * peers of incidentkit, loaded only when asked for.
 */
import type { Pool } from 'pg';
import { POSTGRES_MIGRATIONS } from '../storage/sql/postgresMigrations.js';
import { SQLITE_MIGRATIONS } from '../storage/sql/sqliteMigrations.js';
import type { StorageAdapter } from '../storage/types.js';
import { UsageError } from './usage.js';

/** Where the store is. */
export type StoreTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** An open store and how to close it. */
export interface OpenStore {
  readonly store: StorageAdapter;
  readonly target: StoreTarget;
  close(): Promise<void>;
  /** Applies the pending migrations; the versions applied. */
  migrate(): Promise<readonly number[]>;
  /** The schema versions applied already and those this incidentkit would apply. */
  migrations(): Promise<{ readonly applied: readonly number[]; readonly pending: readonly { readonly version: number; readonly name: string }[] }>;
}

/** The store target from the options, or a {@link UsageError} that says how to name one. */
export function storeTarget(options: { readonly sqlite?: string; readonly postgres?: string; readonly schema?: string }, env: Readonly<Record<string, string | undefined>>): StoreTarget {
  if (options.sqlite !== undefined && options.postgres !== undefined) throw new UsageError('Give --sqlite or --postgres, not both.');
  if (options.sqlite !== undefined) {
    if (options.sqlite === '') throw new UsageError('--sqlite needs a file name.');
    return { kind: 'sqlite', file: options.sqlite };
  }
  const url = options.postgres ?? env.INCIDENTKIT_DATABASE_URL;
  if (url === undefined || url === '') throw new UsageError('Name a store: --sqlite <file>, --postgres <url>, or the environment variable INCIDENTKIT_DATABASE_URL.');
  return { kind: 'postgres', url, ...(options.schema === undefined ? {} : { schema: options.schema }) };
}

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new UsageError(`This needs the package '${name}', an optional peer of incidentkit: npm install ${name}`, error);
  }
}

/**
 * Opens the store. SQLite files are opened in WAL mode and migrated (the store does so on
 * creation), unless `migrate: false` asks to look only: then a missing file is an error.
 */
export async function openStore(target: StoreTarget, options: { readonly migrate?: boolean } = {}): Promise<OpenStore> {
  if (target.kind === 'sqlite') {
    const { default: Database } = await load<{ default: typeof import('better-sqlite3') }>('better-sqlite3');
    const readOnly = options.migrate === false;
    let db: import('better-sqlite3').Database;
    try {
      db = new Database(target.file, { fileMustExist: readOnly });
    } catch (error) {
      throw new UsageError(`Cannot open the SQLite file '${target.file}': ${error instanceof Error ? error.message : String(error)}`, error);
    }
    const table = '"incidentkit_migrations"';
    const applied = (): number[] => {
      const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'incidentkit_migrations'`).get() !== undefined;
      return exists ? db.prepare<[], { version: number }>(`SELECT version FROM ${table} ORDER BY version`).all().map((r) => r.version) : [];
    };
    if (readOnly) {
      const before = applied();
      return {
        target,
        get store(): StorageAdapter {
          throw new UsageError('This command only reads migrations.');
        },
        close: () => Promise.resolve(void db.close()),
        migrate: () => Promise.reject(new UsageError('Opened without migrating.')),
        migrations: () => Promise.resolve({ applied: before, pending: SQLITE_MIGRATIONS.filter((m) => !before.includes(m.version)).map(({ version, name }) => ({ version, name })) }),
      };
    }
    db.pragma('journal_mode = WAL');
    const before = applied();
    const { sqliteStore } = await import('../storage/sqlite.js');
    const store = sqliteStore(db);
    const after = applied();
    return {
      target,
      store,
      close: () => Promise.resolve(void db.close()),
      migrate: () => Promise.resolve(after.filter((v) => !before.includes(v))),
      migrations: () => Promise.resolve({ applied: after, pending: [] }),
    };
  }
  const pg = await load<{ default: { Pool: new (config: { connectionString: string; max?: number }) => Pool } }>('pg');
  const pool = new pg.default.Pool({ connectionString: target.url, max: 4 });
  const { postgresStore } = await import('../storage/postgres.js');
  const schema = target.schema ?? 'public';
  const store = postgresStore(pool, { schema });
  return {
    target,
    store,
    close: () => pool.end(),
    migrate: () => store.migrate(),
    async migrations() {
      const exists = await pool.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, 'incidentkit_migrations']);
      const quoted = `"${schema.replaceAll('"', '""')}"`;
      const applied = exists.rowCount === 0 ? [] : (await pool.query<{ version: number }>(`SELECT version FROM ${quoted}.incidentkit_migrations ORDER BY version`)).rows.map((r) => r.version);
      return { applied, pending: POSTGRES_MIGRATIONS.filter((m) => !applied.includes(m.version)).map(({ version, name }) => ({ version, name })) };
    },
  };
}
