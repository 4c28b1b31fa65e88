/**
 * Errors that name the user's own data (issue 11): sizes, shapes, the data
 * given to fit, CSV cells, and explain()'s printout. Each test asserts the
 * error's class and the words that let a user find their mistake.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as g from "../../src/index.js";
import { ArgumentError, NaNError, ShapeError, type Tensor } from "../../src/index.js";

/** The error `fn` throws (synchronously or as a rejected promise), failing the test when it throws none. */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

describe("every size from user input goes through one check", () => {
  const tooBig: [string, () => unknown, string][] = [
    ["zeros([1e10])", () => g.zeros([1e10]), "zeros: shape [10000000000] has 10,000,000,000 elements"],
    ["ones([1e5, 1e5])", () => g.ones([1e5, 1e5]), "ones: shape [100000,100000] has 10,000,000,000"],
    ["full", () => g.full([1e5, 1e5], 2), "full: shape [100000,100000]"],
    ["tensor with a shape", () => g.tensor([1], [1e5, 1e5]), "tensor: shape [100000,100000]"],
    ["eye(1e5)", () => g.eye(1e5), "eye: shape [100000,100000]"],
    ["arange(1e10)", () => g.arange(1e10), "arange: shape [10000000000]"],
    ["linspace(0, 1, 1e10)", () => g.linspace(0, 1, 1e10), "linspace: shape [10000000000]"],
    [
      "random.uniform",
      () => g.random.uniform(g.random.key(0), [1e10]),
      "random.uniform: shape [10000000000]",
    ],
    [
      "a broadcast of [1e5,1] with [1,1e5]",
      () => g.add(g.zeros([1e5, 1]), g.zeros([1, 1e5])),
      "shape [100000,100000] has 10,000,000,000",
    ],
    [
      "matmul of [1e5,1] by [1,1e5]",
      () => g.matmul(g.zeros([1e5, 1]), g.zeros([1, 1e5])),
      "matmul: shape [100000,100000]",
    ],
    ["pad", () => g.pad(g.zeros([2]), [[0, 1e10]]), "pad: shape [10000000002]"],
    [
      "a compiled broadcast",
      () => g.compile((a: Tensor, b: Tensor) => g.add(a, b))(g.zeros([1e5, 1]), g.zeros([1, 1e5])),
      "shape [100000,100000]",
    ],
  ];
  for (const [what, fn, words] of tooBig)
    it(`${what} is an ArgumentError naming the op and the size, not a RangeError`, async () => {
      const e = await errorOf(fn);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toContain(words);
      expect(e.message).toContain("at most 4,294,967,295");
    });

  it("data generators name the n the user asked for, not their random draws", async () => {
    for (const [name, fn] of [
      ["moons", () => g.data.moons({ n: 1e10 })],
      ["circle", () => g.data.circle({ n: 1e10 })],
      ["regression1d", () => g.data.regression1d({ n: 1e10 })],
    ] as const) {
      const e = await errorOf(fn);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(
        new RegExp(`^${name}: n = 10000000000 samples is more than the \\d+ one data set can hold`),
      );
    }
  });

  it("sizes at the limit's side that fit are untouched: zeros([0]), a size-0 broadcast", () => {
    expect(g.zeros([0, 1e9]).shape).toEqual([0, 1e9]);
    expect(g.add(g.zeros([0, 1]), g.zeros([1, 1e6])).shape).toEqual([0, 1e6]);
  });
});

describe("batched matmul shape errors show both full operand shapes", () => {
  it("batch dimensions that do not broadcast", async () => {
    const e = await errorOf(() => g.matmul(g.zeros([2, 2, 3, 4]), g.zeros([3, 4, 5])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain(
      "matmul: batch dimensions [2,2] and [3] cannot be broadcast together: [2,2,3,4] @ [3,4,5]",
    );
  });

  it("inner dimensions that differ", async () => {
    const e = await errorOf(() => g.matmul(g.zeros([5, 2, 3]), g.zeros([5, 4, 2])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain("[5,2,3] @ [5,4,2]");
  });
});

describe("fit names the user's data", () => {
  const model = () => g.nn.sequential(g.nn.linear(4, 8), g.nn.relu(), g.nn.linear(8, 1));

  it("features of the wrong width name the user's shape [10,3], not a probe batch", async () => {
    const e = await errorOf(() =>
      model().fit(g.zeros([10, 3]), g.zeros([10, 1]), { loss: "mse", verbose: 0 }),
    );
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain("fit: the data does not fit the model or the loss");
    expect(e.message).toContain("[10,3]");
    expect(e.message).not.toMatch(/\[2,3\]/);
  });

  it("a loss that becomes NaN or Inf is a NaNError naming the epoch and batch", async () => {
    const x = g.tensor([[1, 2, 3, 4]]);
    // A learning rate this large sends the weights, then the loss, to infinity within a few steps.
    const e = await errorOf(() =>
      model().fit(x, g.tensor([[1e30]]), {
        loss: "mse",
        verbose: 0,
        epochs: 50,
        optimizer: g.optim.sgd({ lr: 1e10 }),
      }),
    );
    expect(e).toBeInstanceOf(NaNError);
    expect(e.message).toMatch(/fit: the loss became (NaN|Infinity) at epoch \d+, batch 1/);
  });
});

describe("CSV: a numeric column with a few other cells is a typo, not a category", () => {
  const csv = "age,income,label\n30,1000,yes\n4O,2000,no\n50,3000,yes\n60,4000,no\n";

  it("parseCsv names the line and the cell, and how to keep the column as categories", async () => {
    const e = await errorOf(() => g.data.parseCsv(csv, { target: "label" }));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain('parseCsv: column "age" holds numbers except at line 3 "4O"');
    expect(e.message).toContain('categorical: ["age"]');
  });

  it("lists the first five cells and counts the rest", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => (i % 3 === 1 ? `x${i}` : `${i}`));
    const e = await errorOf(() => g.data.parseCsv(`a\n${rows.join("\n")}\n`));
    expect(e.message).toContain('line 3 "x1", line 6 "x4"');
    expect(e.message).toContain("and 2 more");
  });

  it("with categorical: [column], the column is one-hot as asked", () => {
    const d = g.data.parseCsv(csv, { target: "label", categorical: ["age"] });
    expect(d.categories.age).toEqual(["30", "4O", "50", "60"]);
    expect(d.features).toEqual(["age=30", "age=4O", "age=50", "age=60", "income"]);
  });

  it("a column of words stays categorical, a column of numbers numeric", () => {
    const d = g.data.parseCsv("color,size\nred,1\nblue,2\nred,3\n");
    expect(d.features).toEqual(["color=blue", "color=red", "size"]);
  });

  it("loadCsv names the file with the line", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "grafo-fuzz-csv-")), "people.csv");
    writeFileSync(path, csv);
    const e = await errorOf(() => g.data.loadCsv(path, { target: "label" }));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain(`loadCsv: ${path}: column "age" holds numbers except at line 3 "4O"`);
  });
});

describe("explain() prints readably", () => {
  const phi = g.tensor([1, 2]);
  const steps = g.explain((w: Tensor) => w.dot(phi).sub(2).square(), g.tensor([3, 1]));
  const expected = [
    "forward pass (leaves to root):",
    "  %0 = input 0 = [3, 1]",
    "  %1 = const = [1, 2]",
    "  %2 = mul(%0, %1) = [3, 2]",
    "  %3 = sum[axes=[0]](%2) = 5",
    "  %4 = const = 2",
    "  %5 = sub(%3, %4) = 3",
    "  %6 = mul(%5, %5) = 9",
    "backward pass (root to leaves):",
    "  ∂out/∂%6 = 1   (the output: ∂out/∂out = 1)",
    "  ∂out/∂%5 = 6   (from %6 mul)",
    "  ∂out/∂%4 = -6   (from %5 sub)",
    "  ∂out/∂%3 = 6   (from %5 sub)",
    "  ∂out/∂%2 = [6, 6]   (from %3 sum)",
    "  ∂out/∂%1 = [18, 6]   (from %2 mul)",
    "  ∂out/∂%0 = [6, 12]   (from %2 mul)",
  ].join("\n");

  it("String() and console.log (Node's inspect) give the steps, one a line", () => {
    expect(String(steps)).toBe(expected);
    expect(inspect(steps)).toBe(expected);
    expect(`${steps}`).toBe(expected);
  });

  it("is still an array of steps", () => {
    expect(Array.isArray(steps)).toBe(true);
    expect(steps).toHaveLength(14);
    expect(steps[0]!.text).toBe("%0 = input 0 = [3, 1]");
    expect(String(steps.filter((s) => s.phase === "backward")).split("\n")[0]).toBe(
      "backward pass (root to leaves):",
    );
  });
});
