// Test harness: throwaway PostgreSQL/Redis servers, fresh databases per driver, and the whole app booted for e2e.
export * from './servers/free-port.js';
export * from './servers/postgres-server.js';
export * from './servers/redis-server.js';
export * from './servers/smtp-catcher.js';
export * from './databases.js';
export * from './app/boot-test-app.js';
export * from './app/app-process.js';
export * from './exchange-sim/sim-harness.js';
