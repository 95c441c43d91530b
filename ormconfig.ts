// The DataSource for the TypeORM CLI (migration:generate|run|revert), built from the same
// DATABASE_URL rules and schema as the app. Compiled to dist/ormconfig.js by `npm run build`.
import 'reflect-metadata';
import { AppConfig, dataSourceOptions, TradedeskDataSource } from '@tradedesk/shared';
import { persistenceSchema } from './apps/api/src/persistence/schema.js';

const config = AppConfig.fromEnv();
export default new TradedeskDataSource(dataSourceOptions(config.database, persistenceSchema));
