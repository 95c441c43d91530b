// Builds the dashboard into dist/dashboard, which the API serves at `/` (apps/api/src/http/dashboard.ts).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    // DASHBOARD_OUT lets the browser tests build their own copy without racing `npm run build`.
    outDir: process.env.DASHBOARD_OUT ?? fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // The initial bundle's budget is 300 kB gzipped (bench/dashboard.bench.ts measures it); Vite's
    // 500 kB warning is about minified bytes, which Mantine's components exceed well inside it.
    chunkSizeWarningLimit: 800,
  },
});
