import { OrderTemplates1796673448195 } from './1796673448195-OrderTemplates.js';
import { Notifications1796666329893 } from './1796666329893-Notifications.js';
import { ListIndexes1796669534571 } from './1796669534571-ListIndexes.js';
import { AuditLog1796663792378 } from './1796663792378-AuditLog.js';
import { Positions1796660429834 } from './1796660429834-Positions.js';
import { NativeBrackets1795714196874 } from './1795714196874-NativeBrackets.js';
import { PaperAccounts1795711958445 } from './1795711958445-PaperAccounts.js';
import { Conditions1795704488592 } from './1795704488592-Conditions.js';
import { Orders1795703814183 } from './1795703814183-Orders.js';
import { ExchangeAccounts1795702866334 } from './1795702866334-ExchangeAccounts.js';
import { Initial1795613721656 } from './1795613721656-Initial.js';
// Generated SQLite migrations in order (npm run migration:generate -- <Name> appends here).
export const sqliteMigrations = [
  Initial1795613721656,
  ExchangeAccounts1795702866334,
  Orders1795703814183,
  Conditions1795704488592,
  PaperAccounts1795711958445,
  NativeBrackets1795714196874,
  Positions1796660429834,
  AuditLog1796663792378,
  Notifications1796666329893,
  ListIndexes1796669534571,
  OrderTemplates1796673448195,
];
