import { conditionsEntities } from '@tradedesk/conditions';
import { exchangesEntities } from '@tradedesk/exchanges';
import { notificationsEntities } from '@tradedesk/notifications';
import { ordersEntities } from '@tradedesk/orders';
import { type PersistenceSchema, sharedEntities } from '@tradedesk/shared';
import { templatesEntities } from '@tradedesk/templates';
import { postgresMigrations } from './migrations/postgres/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';

/** Every table of tradedesk and the migrations that create them, per driver. */
export const persistenceSchema: PersistenceSchema = {
  entities: [
    ...sharedEntities,
    ...exchangesEntities,
    ...ordersEntities,
    ...conditionsEntities,
    ...notificationsEntities,
    ...templatesEntities,
  ],
  migrations: { postgres: postgresMigrations, sqlite: sqliteMigrations },
};
