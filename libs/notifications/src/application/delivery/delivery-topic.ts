/** The outbox topic of one push delivery; its payload is `{ deliveryId }`. */
export const DELIVERY_TOPIC = 'notifications.deliver';
/**
 * Behind every order (100) and protective exit (0): a backlog of alerts never holds a slot an
 * order submission is waiting for.
 */
export const DELIVERY_PRIORITY = 500;
