// Schema migrations, in order. Each is written once per dialect where the SQL differs (the revision column).
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { fieldExpressionText, fieldIndexName, INDEXED_FIELDS, REFERENCE_FIELDS, referencesOf } from './field-index.js';
import type { KObject } from '../object.js';

type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_log_and_objects': {
      async up(db: Kysely<any>) {
        // hil_log: every write, in commit order; revision is the resourceVersion.
        let log = db.schema.createTable('hil_log');
        log =
          dialect === 'postgres'
            ? log.addColumn('revision', 'bigserial', (c) => c.primaryKey())
            : log.addColumn('revision', 'integer', (c) => c.primaryKey().autoIncrement());
        await log
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('object', 'text', (c) => c.notNull())
          .addColumn('prev', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('hil_log_created_at').on('hil_log').column('created_at').execute();
        // hil_objects: the current state, one row per live object.
        await db.schema
          .createTable('hil_objects')
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('revision', 'bigint', (c) => c.notNull())
          .addColumn('object', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('hil_objects_pk', ['resource', 'namespace', 'name'])
          .execute();
        await db.schema
          .createTable('hil_meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('hil_meta').values({ key: 'compacted_revision', value: '0' }).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('hil_meta').execute();
        await db.schema.dropTable('hil_objects').execute();
        await db.schema.dropTable('hil_log').execute();
      },
    },
    '0002_credentials': {
      // Password hashes and API tokens: kept by the server, never served through the API (not even to admins).
      async up(db: Kysely<any>) {
        let t = db.schema.createTable('hil_credentials');
        t =
          dialect === 'postgres'
            ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
            : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
        await t
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('user_uid', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('hil_credentials_user')
          .on('hil_credentials')
          .columns(['user_name', 'kind'])
          .execute();
        await db.schema.createIndex('hil_credentials_secret').on('hil_credentials').column('secret_hash').execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('hil_credentials').execute();
      },
    },
    '0003_field_indexes': {
      // Expression indexes for admission's lookups by field (field-index.ts), so a write does not scan every
      // object of its kind: an attachment create looks up the node's other attachments, a Port create its switch's.
      async up(db: Kysely<any>) {
        for (const path of INDEXED_FIELDS) {
          await sql`create index ${sql.raw(fieldIndexName(path))} on hil_objects (resource, ${sql.raw(fieldExpressionText(dialect, path))})`.execute(
            db,
          );
        }
      },
      async down(db: Kysely<any>) {
        for (const path of INDEXED_FIELDS) await db.schema.dropIndex(fieldIndexName(path)).execute();
      },
    },
    '0004_references': {
      // Values held in array fields (field-index.ts, REFERENCE_FIELDS), one row each, written with their object;
      // filled here from the objects already stored.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('hil_refs')
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('field', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('hil_refs_pk', ['resource', 'field', 'value', 'namespace', 'name'])
          .execute();
        await db.schema
          .createIndex('hil_refs_object')
          .on('hil_refs')
          .columns(['resource', 'namespace', 'name'])
          .execute();
        for (const resource of Object.keys(REFERENCE_FIELDS)) {
          const rows = await db
            .selectFrom('hil_objects')
            .select(['namespace', 'name', 'object'])
            .where('resource', '=', resource)
            .execute();
          const refs = rows.flatMap((r: { namespace: string; name: string; object: string }) =>
            referencesOf(resource, JSON.parse(r.object) as KObject).map((ref) => ({
              resource,
              ...ref,
              namespace: r.namespace,
              name: r.name,
            })),
          );
          for (let i = 0; i < refs.length; i += 500)
            await db
              .insertInto('hil_refs')
              .values(refs.slice(i, i + 500))
              .execute();
        }
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('hil_refs').execute();
      },
    },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
