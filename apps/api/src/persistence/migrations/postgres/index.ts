import { OrderTemplates1796673459810 } from './1796673459810-OrderTemplates.js';
import { Notifications1796666334234 } from './1796666334234-Notifications.js';
import { ListIndexes1796669543781 } from './1796669543781-ListIndexes.js';
import { AuditLog1796663800609 } from './1796663800609-AuditLog.js';
import { Positions1796660433814 } from './1796660433814-Positions.js';
import { NativeBrackets1795714202079 } from './1795714202079-NativeBrackets.js';
import { PaperAccounts1795711965739 } from './1795711965739-PaperAccounts.js';
import { Conditions1795704498542 } from './1795704498542-Conditions.js';
import { Orders1795703821170 } from './1795703821170-Orders.js';
import { ExchangeAccounts1795702870900 } from './1795702870900-ExchangeAccounts.js';
import { Initial1795613723041 } from './1795613723041-Initial.js';
// Generated PostgreSQL migrations in order (npm run migration:generate -- <Name> appends here).
export const postgresMigrations = [
  Initial1795613723041,
  ExchangeAccounts1795702870900,
  Orders1795703821170,
  Conditions1795704498542,
  PaperAccounts1795711965739,
  NativeBrackets1795714202079,
  Positions1796660433814,
  AuditLog1796663800609,
  Notifications1796666334234,
  ListIndexes1796669543781,
  OrderTemplates1796673459810,
];
