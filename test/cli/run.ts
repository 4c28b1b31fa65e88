/**
 * Runs the real `grafo` command in a child process: from the source through
 * tsx (default), or the built dist/cli/main.js with GRAFO_CLI=dist (after
 * `npm run build`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry =
  process.env.GRAFO_CLI === "dist"
    ? [join(root, "dist/cli/main.js")]
    : ["--import", "tsx", join(root, "src/cli/main.ts")];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `grafo ...args` in `cwd`, with `input` on stdin; never rejects (the exit code is in the result). */
export function grafo(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "grafo-cli-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
