import type { NotificationType } from './notification-types.js';

/** A notification about to be recorded: what happened, about what, and the facts it tells. */
export interface NotificationDraft {
  type: NotificationType;
  /** What it is about (`order:<id>`, `position:<account> <symbol>`, `venue:binance:sim`): cooldowns are per subject. */
  subject: string;
  /** Every fact it tells: each is told once, whoever (live event, retry, sweep) tries first. */
  factKeys: string[];
  /** Decimal strings and ISO times: what every channel is rendered from. */
  data: Record<string, unknown>;
  /** Not held back by its rule's cooldown (a resolved message, a daily summary). */
  ignoreCooldown?: boolean;
}
