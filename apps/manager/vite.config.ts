import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Built into dist/apps/manager and served by the api at /arcgis/manager/ (hashed names under assets/).
export default defineConfig({
  root: __dirname,
  base: '/arcgis/manager/',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, '../../dist/apps/manager'),
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
