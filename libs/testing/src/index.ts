// Test support below the apps: throwaway PostgreSQL/Redis servers, fresh databases per driver, the built app as a child process. Booting the app in process and the emulator harness live in test/support.
export * from './servers/free-port.js';
export * from './servers/postgres-server.js';
export * from './servers/redis-server.js';
export * from './servers/smtp-catcher.js';
export * from './servers/prometheus-server.js';
export * from './databases.js';
export * from './credentials.js';
export * from './app/app-process.js';
