/** The API token and master key a test gives the app it starts (bootTestApp, AppProcess). */
export const TEST_API_TOKEN = 'test-token-0123456789abcdef';
export const TEST_MASTER_KEY = '00'.repeat(32);
