import { defineConfig } from "vitest/config";

// Tauri serves ui/dist in the app and loads the dev server on :1420 in `tauri dev`.
const host = process.env["TAURI_DEV_HOST"];

export default defineConfig({
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: "ws", host, port: 1421 } : undefined,
    watch: { ignored: ["**/src-tauri/**", "**/test-artifacts/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2021", "safari15", "chrome105"],
    sourcemap: false,
    // Keep every asset a file of its own: the CSP allows only the app's own assets.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // Two pages: the register (index.html) and the customer display's window (customer.html).
    rollupOptions: {
      input: { main: "index.html", customer: "customer.html" },
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "node",
  },
});
