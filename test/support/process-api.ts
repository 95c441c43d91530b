import { TEST_MASTER_KEY } from '@tradedesk/testing';

/** The environment of a tradedesk child process in sim mode against a test emulator. */
export function simProcessEnv(settings: {
  dataDir: string;
  databaseUrl: string;
  simUrl: string;
  token: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    DATA_DIR: settings.dataDir,
    DATABASE_URL: settings.databaseUrl,
    API_TOKEN: settings.token,
    MASTER_KEY: TEST_MASTER_KEY,
    SIM: 'on',
    SIM_URL: settings.simUrl,
    // Process specs find the listening URL in the info-level start-up line.
    LOG_LEVEL: 'info',
    // Due at 09:00 Asia/Seoul and caught up at start: not a notification these specs made (boot-test-app says more).
    NOTIFY_DAILY_SUMMARY: 'off',
    ...settings.extra,
  };
}

export type ApiCall = <T>(url: string, method?: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** A JSON call with the bearer token, for specs that talk to a child process by URL. */
export function bearerApi(token: string): ApiCall {
  return async <T>(url: string, method = 'GET', body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}
