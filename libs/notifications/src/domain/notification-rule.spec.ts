import { describe, expect, it } from 'vitest';
import { defaultRule, type NotificationRule, parseRuleChanges } from './notification-rule.js';
import { NOTIFICATION_TYPE_NAMES, type NotificationType } from './notification-types.js';

const current = new Map<NotificationType, NotificationRule>(NOTIFICATION_TYPE_NAMES.map((t) => [t, defaultRule(t)]));

describe('parseRuleChanges', () => {
  it('merges the given fields onto the current rule', () => {
    const [rule] = parseRuleChanges(
      { rules: [{ type: 'order.filled', channels: { email: 'on' }, recipients: [' me@example.com '] }] },
      current,
    );
    expect(rule).toMatchObject({
      type: 'order.filled',
      channels: { web: 'on', email: 'on', webhook: 'off' },
      recipients: ['me@example.com'],
    });
  });

  it('critical alerts may be silent but never off', () => {
    expect(parseRuleChanges({ rules: [{ type: 'position.unprotected', channels: { web: 'silent' } }] }, current)[0].channels.web).toBe(
      'silent',
    );
    expect(() => parseRuleChanges({ rules: [{ type: 'order.unknown', channels: { webhook: 'off' } }] }, current)).toThrow(
      /rules\[0\]\.channels\.webhook/,
    );
  });

  it.each([
    [{}, 'rules'],
    [{ rules: [{ type: 'order.filled' }, { type: 'order.filled' }] }, 'rules[1].type'],
    [{ rules: [{ type: 'exchange.recovered' }] }, 'rules[0].type'],
    [{ rules: [{ type: 'order.filled', channels: { sms: 'on' } }] }, 'rules[0].channels.sms'],
    [{ rules: [{ type: 'order.filled', channels: { web: 'loud' } }] }, 'rules[0].channels.web'],
    [{ rules: [{ type: 'order.filled', cooldownSeconds: -1 }] }, 'rules[0].cooldownSeconds'],
    [{ rules: [{ type: 'order.filled', recipients: 'me@example.com' }] }, 'rules[0].recipients'],
    [{ rules: [{ type: 'order.filled', recipients: ['a@b.c, d@e.f'] }] }, 'rules[0].recipients[0]'],
    [{ rules: [{ type: 'order.filled', webhookUrl: 'javascript:alert(1)' }] }, 'rules[0].webhookUrl'],
  ])('%j → names %s', (body, field) => {
    expect(() => parseRuleChanges(body, current)).toThrow(expect.objectContaining({ details: { field } }));
  });
});
