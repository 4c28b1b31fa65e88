#!/usr/bin/env node
/**
 * The browser tests run grafo in headless Chromium (Debian's package, driven by
 * playwright-core; no browser download). This installs it when it is missing
 * and the machine allows (root with apt-get), and otherwise says in one line
 * why the browser tests will be skipped. It never fails the test run by itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 15 * 60 * 1000 });
  return r.status === 0 ? "" : (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").at(-1);
}

if (existsSync(CHROMIUM) || process.env.GRAFO_SKIP_BROWSER) process.exit(0);
if (process.platform !== "linux" || typeof process.getuid !== "function" || process.getuid() !== 0 || !existsSync("/usr/bin/apt-get")) {
  console.log(`grafo: ${CHROMIUM} not found and cannot be installed here (needs root and apt-get); browser tests will be skipped`);
  process.exit(0);
}
console.log("grafo: installing Debian's chromium for the browser tests (apt-get)…");
const failed = run("apt-get", ["update", "-qq"]) || run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
console.log(failed ? `grafo: could not install chromium (${failed}); browser tests will be skipped` : "grafo: chromium installed");
