// Builds the explorer and the playground into ../dist, which the Go
// binary embeds (internal/explorer). The output is deterministic (no
// hashes, no timestamps) so CI can rebuild it and compare with the
// committed copy: npm ci && npm run build && git diff --exit-code ../dist
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const out = "../dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out + "/explore", { recursive: true });
mkdirSync(out + "/playground", { recursive: true });

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  legalComments: "external",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

await esbuild.build({ ...common, entryPoints: { explorer: "src/main.ts" }, outdir: out + "/explore" });
copyFileSync("src/explore.html", out + "/explore/index.html");
copyFileSync("src/explore.css", out + "/explore/explorer.css");

await esbuild.build({
  ...common,
  entryPoints: { playground: "src/playground/main.tsx" },
  outdir: out + "/playground",
  loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".svg": "dataurl" },
});
copyFileSync("src/playground/playground.html", out + "/playground/index.html");
