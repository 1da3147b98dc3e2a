import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built from the repository root (npm run build:dashboard); relative base so dist can be served from any path.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
