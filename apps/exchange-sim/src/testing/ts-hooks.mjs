// Module hooks for ts-register.mjs: `.js` specifiers fall back to their `.ts` source, compiled by swc;
// `@tradedesk/<lib>` resolves to libs/<lib>/src/index.ts, as tsconfig's paths say.
import { transform } from '@swc/core';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const LIBS = new URL('../../../../libs/', import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const lib = /^@tradedesk\/([a-z-]+)$/.exec(specifier)?.[1];
  if (lib && lib !== 'exchange-sim') return nextResolve(new URL(`${lib}/src/index.ts`, LIBS).href, context);
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:'))) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
