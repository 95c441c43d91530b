// Lets a child `node` process run the emulator's TypeScript sources directly (crash tests):
// node --import ./apps/exchange-sim/src/testing/ts-register.mjs apps/exchange-sim/src/main.ts
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
