#!/usr/bin/env node
/**
 * Builds grafo's optional native backend (native/build/Release/grafo_native.node)
 * with the node-gyp that ships inside npm. The root `prepare` script runs this
 * after `tsc`.
 *
 * It never fails an install: without a C++ compiler, Node headers, Python or
 * node-gyp, or when the compile fails, it prints one line saying the native
 * backend is skipped and why, and exits 0. grafo then runs on wasm or js.
 * Set GRAFO_SKIP_NATIVE=1 to skip it on purpose.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, "build", "Release", "grafo_native.node");

function skip(reason) {
  console.log(`grafo: native backend skipped (${reason}); grafo will use its wasm or js backend`);
  process.exit(0);
}

/** npm's own node-gyp: from npm's environment when run as an npm script, else beside this node. */
function findNodeGyp() {
  const bin = join("node_modules", "node-gyp", "bin", "node-gyp.js");
  const nodeDir = dirname(process.execPath);
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && resolve(dirname(process.env.npm_execpath), "..", bin),
    resolve(nodeDir, "..", "lib", "node_modules", "npm", bin), // Unix: <prefix>/bin/node
    resolve(nodeDir, "node_modules", "npm", bin), // Windows: <prefix>\node.exe
  ];
  return candidates.find((p) => p && p.endsWith(".js") && existsSync(p));
}

/** Local headers (<prefix>/include/node) spare node-gyp a download. */
function findNodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(join(configured, "include", "node", "node_api.h"))) return configured;
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) return prefix;
  return undefined;
}

/** The line of the build log that best says what went wrong. */
function firstError(log) {
  const lines = log.split("\n").map((l) => l.trim());
  const pick =
    lines.find((l) => /\berror\b/i.test(l) && !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l)) ??
    lines.find((l) => l.startsWith("gyp ERR!")) ??
    lines.filter(Boolean).at(-1) ??
    "unknown error";
  return pick.length > 200 ? `${pick.slice(0, 200)}…` : pick;
}

if (process.env.GRAFO_SKIP_NATIVE) skip("GRAFO_SKIP_NATIVE is set");

const cxx = process.env.CXX || (process.platform === "darwin" ? "clang++" : "g++");
if (process.platform !== "win32") {
  const probe = spawnSync(cxx, ["--version"], { stdio: "ignore", shell: false });
  if (probe.error || probe.status !== 0) skip(`no working C++ compiler: ${cxx}`);
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) skip("node-gyp not found beside npm");

const args = [nodeGyp, "rebuild", `--directory=${here}`, `--jobs=${Math.min(3, availableParallelism())}`];
const nodeDir = findNodeDir();
if (nodeDir) args.push(`--nodedir=${nodeDir}`);

const started = Date.now();
const run = spawnSync(process.execPath, args, {
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
  timeout: 10 * 60 * 1000,
  env: { ...process.env, CXX: cxx },
});
if (run.error) skip(`node-gyp did not run: ${run.error.message}`);
if (run.status !== 0) skip(`build failed: ${firstError(`${run.stdout}\n${run.stderr}`)}`);
if (!existsSync(output)) skip(`build produced no ${output}`);
console.log(`grafo: native backend built in ${((Date.now() - started) / 1000).toFixed(0)} s (${output})`);
