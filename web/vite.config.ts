import { defineConfig } from 'vite';

// No React plugin: esbuild compiles TSX with the automatic runtime, which is all we need.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: { '/v1': 'http://localhost:8080', '/sandbox': 'http://localhost:8080' },
  },
});
