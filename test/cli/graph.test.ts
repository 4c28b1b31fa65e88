import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { grafo, tempDir } from "./run.js";

const tmp = tempDir();
afterAll(tmp.remove);

describe("grafo explain", () => {
  it("with no expression explains the lecture's L17 example, ending with ∇w = [6, 12]", async () => {
    const r = await grafo(["explain"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("∇w = [6, 12]");
    // The forward pass: w·φ = 5, minus y = 3, squared = 9.
    expect(r.stdout).toMatch(/%2\s+mul\(%0, %1\)\s+\[3, 2\]/);
    expect(r.stdout).toMatch(/%3\s+sum\[axes=\[0\]\]\(%2\)\s+5\n/);
    expect(r.stdout).toMatch(/%5\s+sub\(%3, %4\)\s+3\n/);
    expect(r.stdout).toMatch(/%6\s+mul\(%5, %5\)\s+9\n/);
    // The backward pass: 1 at the root, 2·3 = 6 at the difference, [6, 6]·φ at w.
    expect(r.stdout).toMatch(/%6\s+mul\s+1\s+the output/);
    expect(r.stdout).toMatch(/%5\s+sub\s+6\s+%6 mul/);
    expect(r.stdout).toMatch(/%2\s+mul\s+\[6, 6\]\s+%3 sum/);
    expect(r.stdout).toMatch(/%0\s+input w\s+\[6, 12\]\s+%2 mul/);
  });

  it("explains a given expression: a sigmoid neuron's gradients match σ'(z) = σ(z)(1 − σ(z))", async () => {
    const r = await grafo(["explain", "sigmoid(w*x + b)", "--at", "w=2", "--at", "x=1.5", "--at", "b=-1"]);
    expect(r.code).toBe(0);
    const s = 1 / (1 + Math.exp(-(2 * 1.5 - 1)));
    const ds = s * (1 - s);
    const grads = Object.fromEntries(
      [...r.stdout.matchAll(/^∇(\w+) = (\S+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    // Printed to 4 significant digits.
    expect(grads.w).toBeCloseTo(ds * 1.5, 3);
    expect(grads.x).toBeCloseTo(ds * 2, 3);
    expect(grads.b).toBeCloseTo(ds, 3);
  });

  it("points at the column of a syntax error, exit code 1, no stack trace", async () => {
    const r = await grafo(["explain", "(w·phi - y", "--at", "w=3,1 phi=1,2 y=2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('expected ")" but found the end of the expression at column 11');
    expect(r.stderr).toContain(`  (w·phi - y\n${" ".repeat(12)}^`);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const bad = await grafo(["explain", "2 * $x", "--at", "x=1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unexpected character "$" at column 5');
  });

  it("names a variable without a value, and an unknown function", async () => {
    const r = await grafo(["explain", "x * y", "--at", "x=1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the variable y has no value: pass --at y=… at column 5");
    const f = await grafo(["explain", "foo(x)", "--at", "x=1"]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('unknown function "foo"');
  });
});

describe("grafo graph", () => {
  it("prints the traced graph, its value and, with --grad, the gradients", async () => {
    const r = await grafo([
      "graph",
      "(dot(w, phi) - y)^2",
      "--at",
      "w=3,1",
      "--at",
      "phi=1,2",
      "--at",
      "y=2",
      "--grad",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("graph(%0: float32[2], %1: float32[2], %2: float32[]) {");
    expect(r.stdout).toContain("%6 = mul %5 %5 : float32[]");
    expect(r.stdout).toContain("value = 9\n");
    // ∂/∂φ = 2(w·φ − y)·w = [18, 6]; ∂/∂y = −2(w·φ − y) = −6.
    expect(r.stdout).toContain("∇w = [6, 12]\n∇phi = [18, 6]\n∇y = -6");
  });

  it("follows precedence: -x^2 is −(x²), 2^3^2 is 2^9, the lecture's · and ²", async () => {
    const value = async (e: string, at: string[]) =>
      Number(
        /^value = (\S+)$/m.exec(
          (await grafo(["graph", ...at.flatMap((a) => ["--at", a]), "--", e])).stdout,
        )?.[1],
      );
    expect(await value("-x^2 + 1", ["x=3"])).toBe(-8);
    expect(await value("x * 2^3^2", ["x=1"])).toBe(512);
    expect(await value("(w·phi - y)²", ["w=3,1", "phi=1,2", "y=2"])).toBe(9);
    expect(await value("sum(relu([1, -2, 3]) * x) + max(x, 0) / 4", ["x=2"])).toBe(8.5);
  });

  it("draws DOT with values, gradients and local gradients on the edges", async () => {
    const out = join(tmp.dir, "l17.dot");
    const r = await grafo([
      "graph",
      "(w·phi - y)^2",
      "--at",
      "w=3,1 phi=1,2 y=2",
      "--wrt",
      "w",
      "--grad",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    const dot = readFileSync(out, "utf8");
    expect(dot).toMatch(/^digraph grafo \{/);
    expect(dot).toContain("value [3, 1] | grad [6, 12]");
    expect(dot).toContain("value 9 | grad 1");
    // mul %5 %5: each edge carries ∂(a·b)/∂a = b = 3.
    expect(dot).toMatch(/n5 -> n6 \[label="∂=3"\]/);
  });

  it("draws SVG, PNG and Mermaid", async () => {
    const at = ["--at", "a=2", "--at", "b=-1"];
    for (const ext of ["svg", "png", "mmd"]) {
      const out = join(tmp.dir, `neuron.${ext}`);
      const r = await grafo(["graph", "tanh(a*b)", ...at, "--grad", "--out", out]);
      expect(r.code).toBe(0);
      const bytes = readFileSync(out);
      if (ext === "svg") expect(bytes.toString()).toContain("<svg");
      if (ext === "png") expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      if (ext === "mmd") expect(bytes.toString()).toMatch(/^flowchart LR/);
    }
    const bad = await grafo(["graph", "a*b", ...at, "--out", join(tmp.dir, "g.pdf")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("write the graph as .svg, .png, .dot or .mmd");
  });

  it("rejects a bad --at value with one line", async () => {
    const r = await grafo(["graph", "x + 1", "--at", "x=1,two"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: --at x: "two" is not a number (write e.g. w=3,1 or A=1,2;3,4)');
  });
});
