import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../../native/build.mjs", import.meta.url));

/** The install step must never fail: without a compiler it says so in one line and exits 0. */
describe("native build at install", () => {
  it("skips with one line and exit code 0 when there is no C++ compiler", () => {
    const run = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, CXX: "no-such-compiler++" },
    });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/native backend skipped \(no working C\+\+ compiler: no-such-compiler\+\+\)/);
  });

  it("skips on request (GRAFO_SKIP_NATIVE)", () => {
    const run = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, GRAFO_SKIP_NATIVE: "1" },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/native backend skipped \(GRAFO_SKIP_NATIVE is set\)/);
  });
});
