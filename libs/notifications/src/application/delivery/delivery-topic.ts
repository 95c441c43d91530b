/** The outbox topic of one push delivery, one per channel (a channel that is down is held back alone); payload `{ deliveryId }`. */
export function deliveryTopic(channel: 'email' | 'webhook'): string {
  return `notifications.deliver.${channel}`;
}

/**
 * Behind every order (100) and protective exit (0): a backlog of alerts never holds a slot an
 * order submission is waiting for.
 */
export const DELIVERY_PRIORITY = 500;
