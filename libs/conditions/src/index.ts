// Conditions context: stop-loss, trailing stop, take-profit, brackets and conditional orders, fired exactly once.
export * from './domain/condition.types.js';
export { observeTrailing, trailingTrigger, type TrailingSpec, type TrailingState, type TrailingStep } from './domain/trailing.js';
export { MarketTriggerBook, SortedBook, type BookEntry, type BookHit, type FiredLeg } from './domain/trigger-book.js';
export { parseWhen, evaluateWhen, nextDueAt, parseIsoDuration, type WhenNode, type WhenContext } from './domain/when-tree.js';
