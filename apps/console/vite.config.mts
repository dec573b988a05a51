// Builds the page into dist/web, which the console server serves. JSX is Preact's.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
});
