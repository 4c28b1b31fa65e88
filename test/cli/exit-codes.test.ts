import { afterEach, describe, expect, it, vi } from "vitest";

// A bug inside grafo (here: the parser throwing a TypeError) must read as one, with exit code 2.
vi.mock("../../src/cli/expression.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/cli/expression.js")>();
  return {
    ...actual,
    parseExpression: (source: string) => {
      if (source === "bug") throw new TypeError("cannot read properties of undefined");
      return actual.parseExpression(source);
    },
  };
});

const { main } = await import("../../src/cli/main.js");

/** Runs main in this process, collecting what it writes to stderr. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const code = await main(argv);
  return { code, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("exit codes", () => {
  it("0 for success, 1 for the user's error, 2 for grafo's own", async () => {
    expect((await run(["explain"])).code).toBe(0);
    const user = await run(["graph", "x +", "--at", "x=1"]);
    expect(user.code).toBe(1);
    expect(user.stderr).toMatch(
      /^error: expected a number, a variable, a function or "\(" but found the end/,
    );
    const bug = await run(["graph", "bug"]);
    expect(bug.code).toBe(2);
    expect(bug.stderr).toBe(
      "internal error: cannot read properties of undefined\n(this is a bug in grafo; run with --verbose for the stack trace)\n",
    );
    const verbose = await run(["graph", "bug", "--verbose"]);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
    expect((await run(["--help"])).code).toBe(0);
    expect((await run(["nosuch"])).code).toBe(1);
  });
});
