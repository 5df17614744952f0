import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Built into dist/apps/manager and served by the api at /arcgis/manager/ (hashed names under assets/).
export default defineConfig({
  root: __dirname,
  base: '/arcgis/manager/',
  plugins: [react()],
  // `npm run dev:manager`: the page from Vite with hot reload, the API from the api process (npm run start:dev).
  server: {
    port: 31400,
    // The Host is kept, so the api takes this page's origin for the Manager's OAuth2 redirect URI.
    proxy: Object.fromEntries(['/sharing', '/portaladmin', '/arcgis/admin', '/arcgis/webhooks'].map((p) => [p, { target: process.env.API_URL ?? 'http://127.0.0.1:3000', changeOrigin: false }])),
  },
  build: {
    outDir: resolve(__dirname, '../../dist/apps/manager'),
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 30_000,
  },
});
