import { ValidationError } from '@tradedesk/shared';
import { isEmailAddress } from './email-address.js';
import {
  CHANNEL_MODES,
  CHANNELS,
  type Channel,
  type ChannelMode,
  isNotificationType,
  NOTIFICATION_TYPE_NAMES,
  type NotificationType,
  specOf,
} from './notification-types.js';

/** How one type of notification is delivered: per channel, the alert threshold, the cooldown, the recipients. */
export interface NotificationRule {
  type: NotificationType;
  channels: Record<Channel, ChannelMode>;
  threshold: number;
  cooldownSeconds: number;
  /** Email recipients of this type; empty: NOTIFY_EMAIL_TO. */
  recipients: string[];
  /** The webhook of this type; null: NOTIFY_WEBHOOK_URL. */
  webhookUrl: string | null;
  critical: boolean;
}

export function defaultRule(type: NotificationType): NotificationRule {
  const spec = specOf(type);
  return {
    type,
    channels: { ...spec.defaults },
    threshold: spec.threshold ?? 1,
    cooldownSeconds: spec.cooldownSeconds ?? 0,
    recipients: [],
    webhookUrl: null,
    critical: 'critical' in spec,
  };
}

export const MAX_THRESHOLD = 1000;
export const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;
export const MAX_RECIPIENTS = 20;

function invalid(field: string, message: string): never {
  throw new ValidationError('NOTIFICATION.INVALID_RULE', `${field}: ${message}`, { field });
}

/**
 * Checks a PUT body's `rules` and merges each onto the current rule of its type. Every check runs
 * before anything is stored, and the first failure names its field (`rules[2].recipients[0]`).
 */
export function parseRuleChanges(body: unknown, current: ReadonlyMap<NotificationType, NotificationRule>): NotificationRule[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { rules?: unknown }).rules))
    invalid('rules', 'must be an array of rules');
  const inputs = (body as { rules: unknown[] }).rules;
  if (inputs.length > NOTIFICATION_TYPE_NAMES.length) invalid('rules', `at most ${NOTIFICATION_TYPE_NAMES.length} rules`);
  const seen = new Set<string>();
  return inputs.map((input, i) => parseRuleChange(input, `rules[${i}]`, seen, current));
}

const RULE_FIELDS = ['type', 'channels', 'threshold', 'cooldownSeconds', 'recipients', 'webhookUrl'];

/** One rule of the body (`at` names it), merged onto the current rule of its type; the checks in the order their fields read. */
function parseRuleChange(
  input: unknown,
  at: string,
  seen: Set<string>,
  current: ReadonlyMap<NotificationType, NotificationRule>,
): NotificationRule {
  const given = ruleFields(input, at);
  const type = ruleType(given.type, at, seen);
  const rule = { ...(current.get(type) ?? defaultRule(type)) };
  rule.channels = { ...rule.channels };
  if (given.channels !== undefined) setChannels(rule, given.channels, `${at}.channels`);
  if (given.threshold !== undefined) rule.threshold = integer(given.threshold, `${at}.threshold`, 1, MAX_THRESHOLD);
  if (given.cooldownSeconds !== undefined)
    rule.cooldownSeconds = integer(given.cooldownSeconds, `${at}.cooldownSeconds`, 0, MAX_COOLDOWN_SECONDS);
  if (given.recipients !== undefined) rule.recipients = recipients(given.recipients, `${at}.recipients`);
  if (given.webhookUrl !== undefined) rule.webhookUrl = webhookUrl(given.webhookUrl, `${at}.webhookUrl`);
  return rule;
}

/** A rule is an object of rule fields only. */
function ruleFields(input: unknown, at: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid(at, 'must be an object');
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!RULE_FIELDS.includes(key)) invalid(`${at}.${key}`, 'is not a rule field');
  return given;
}

/** A type with a rule of its own (exchange.recovered and errors.resolved have none), given once in the body. */
function ruleType(value: unknown, at: string, seen: Set<string>): NotificationType {
  if (!isNotificationType(value)) invalid(`${at}.type`, `must be one of ${NOTIFICATION_TYPE_NAMES.join(', ')}`);
  if (value === 'exchange.recovered') invalid(`${at}.type`, 'follows the rule of exchange.unavailable');
  if (value === 'errors.resolved') invalid(`${at}.type`, 'follows the rule of errors.spike');
  if (seen.has(value)) invalid(`${at}.type`, `${value} is given twice`);
  seen.add(value);
  return value;
}

/** Sets the channels given (others keep their mode); a critical alert may go silent but never off. */
function setChannels(rule: NotificationRule, value: unknown, at: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(at, 'must be an object such as { "email": "on" }');
  for (const [channel, mode] of Object.entries(value)) {
    const field = `${at}.${channel}`;
    if (!(CHANNELS as readonly string[]).includes(channel)) invalid(field, `is not a channel (${CHANNELS.join(', ')})`);
    if (!(CHANNEL_MODES as readonly unknown[]).includes(mode)) invalid(field, `must be one of ${CHANNEL_MODES.join(', ')}`);
    if (mode === 'off' && rule.critical) invalid(field, `${rule.type} is a critical alert and cannot be turned off (silent is allowed)`);
    rule.channels[channel as Channel] = mode as ChannelMode;
  }
}

/** Email addresses, trimmed and without repeats. */
function recipients(value: unknown, at: string): string[] {
  if (!Array.isArray(value)) invalid(at, 'must be an array of email addresses');
  if (value.length > MAX_RECIPIENTS) invalid(at, `at most ${MAX_RECIPIENTS} addresses`);
  value.forEach((address, j) => {
    if (typeof address !== 'string' || !isEmailAddress(address.trim())) invalid(`${at}[${j}]`, 'is not an email address');
  });
  return [...new Set((value as string[]).map((a) => a.trim()))];
}

function webhookUrl(value: unknown, at: string): string | null {
  if (value !== null && (typeof value !== 'string' || !httpUrl(value)))
    invalid(at, 'must be an http:// or https:// URL (or null for NOTIFY_WEBHOOK_URL)');
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    invalid(field, `must be an integer from ${min} to ${max}`);
  return value;
}

function httpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && value.length <= 2000;
  } catch {
    return false;
  }
}
