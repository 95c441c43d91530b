import type { NotificationDraft } from '../../../domain/notification-draft.js';

/** Records a notification unless its facts were told already: the web row, its deliveries and their outbox messages, in one transaction. */
export class RecordNotificationCommand {
  constructor(readonly draft: NotificationDraft) {}
}

/** What recording did: the notification's id, or why there is none. */
export type RecordOutcome =
  | { recorded: true; notificationId: number; deliveries: number }
  | { recorded: false; why: 'told-already' | 'cooldown' | 'all-channels-off' };
