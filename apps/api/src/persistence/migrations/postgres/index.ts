import { Initial1795613723041 } from './1795613723041-Initial.js';
// Generated PostgreSQL migrations in order (npm run migration:generate -- <Name> appends here).
export const postgresMigrations = [Initial1795613723041];
