// Builds the playground into crates/vitrine-server/playground/, which the server
// embeds at compile time (so `cargo build` never needs Node). Run `npm ci && npm run build`
// after editing anything under web/, and commit the output.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

const out = new URL("../crates/vitrine-server/playground/", import.meta.url).pathname;
await mkdir(out, { recursive: true });
const common = { bundle: true, format: "esm", target: "es2022", legalComments: "eof", logLevel: "info" };
// The page itself: small and readable.
await build({ ...common, entryPoints: ["src/app.js"], outfile: `${out}app.js`, external: ["./splat.js"] });
// three + Spark: loaded only when a splat is opened.
await build({ ...common, entryPoints: ["src/splat.js"], outfile: `${out}splat.js`, minify: true });
await copyFile("src/index.html", `${out}index.html`);
await copyFile("src/app.css", `${out}app.css`);
