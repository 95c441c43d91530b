import { exchangesEntities } from '@tradedesk/exchanges';
import { type PersistenceSchema, sharedEntities } from '@tradedesk/shared';
import { postgresMigrations } from './migrations/postgres/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';

/** Every table of tradedesk and the migrations that create them, per driver. */
export const persistenceSchema: PersistenceSchema = {
  entities: [...sharedEntities, ...exchangesEntities],
  migrations: { postgres: postgresMigrations, sqlite: sqliteMigrations },
};
