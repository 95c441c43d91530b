// Test support below the apps: throwaway PostgreSQL/Redis servers, fresh databases per driver, the built app as a child process. Booting the app in process and the emulator harness live in test/support.
export * from './servers/free-port.js';
export * from './servers/postgres-server.js';
export * from './servers/redis-server.js';
export * from './databases.js';
export * from './credentials.js';
export * from './app/app-process.js';
// TEMPORARY (issue 13), in .dependency-cruiser.cjs's allow-list: libs/conditions' two int-specs still
// import bootTestApp from here; once they import it from test/support/boot-test-app.ts, delete this line.
export { bootTestApp, type BootTestAppOptions, type TestApp } from '../../../test/support/boot-test-app.js';
