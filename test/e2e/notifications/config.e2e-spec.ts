import { AppProcess, tempDir } from '@tradedesk/testing';
import { describe, expect, it } from 'vitest';

describe('notification settings are checked before tradedesk starts', () => {
  it.each([
    ['SMTP_URL', { SMTP_URL: 'smtp://alerts:hunter2-secret@mail.example.com:99999' }],
    ['NOTIFY_WEBHOOK_URL', { NOTIFY_WEBHOOK_URL: 'file:///etc/passwd' }],
    ['NOTIFY_LOCALE', { NOTIFY_LOCALE: 'de' }],
  ])('a bad %s: one line naming it, exit 2, nothing listening, no password', async (variable, env) => {
    const dir = await tempDir();
    try {
      const app = AppProcess.spawn({ DATA_DIR: dir.path, API_TOKEN: 'config-test-token-0123', ...env });
      expect(await app.exit).toBe(2);
      const lines = app.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^tradedesk: invalid configuration: ${variable}: `));
      expect(app.stderr + app.stdout).not.toContain('hunter2-secret');
      expect(app.stdout).not.toContain('listening');
    } finally {
      await dir.remove();
    }
  });
});
