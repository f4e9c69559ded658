// Bundles the admin modeler (bpmn-js, dmn-js and our properties panel) into web/static/build.
// Run by `make assets` (part of `make install`); the output is not kept in git.
import * as esbuild from "esbuild";

await esbuild.build({
  entryPoints: { modeler: "web/assets/modeler.js", "modeler-style": "web/assets/modeler.css" },
  bundle: true,
  minify: true,
  target: ["es2020"],
  outdir: "web/static/build",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
  assetNames: "[name]-[hash]",
  legalComments: "linked",
  logLevel: "warning",
});
