import { describe, expect, it } from "vitest";
import {
  cse,
  dce,
  foldConstants,
  fuse,
  Graph,
  type GraphNode,
  optimize,
  simplify,
  trace,
} from "../../src/graph/index.js";
import { type Tensor, tensor } from "../../src/index.js";
import { expectTreeClose } from "./helpers.js";

const ops = (g: Graph) => g.nodes.map((n) => n.op);
const x6 = tensor([1, -2, 3, -4, 5, -6]);

/** A hand-built graph of one float32[2,3] input, for patterns public ops never emit. */
function handGraph(nodes: GraphNode[], output: number): Graph {
  return new Graph(
    [{ id: 0, shape: [2, 3], dtype: "float32" }],
    nodes,
    [output],
    { kind: "array", items: [{ kind: "leaf" }] },
    { kind: "leaf" },
  );
}
const t23 = { shape: [2, 3], dtype: "float32" } as const;

describe("dead-code elimination", () => {
  it("drops what the output does not need, and stats() reports before/after", () => {
    const f = (x: Tensor) => {
      x.exp().sum(); // computed and thrown away: an unused branch
      return x.mul(2);
    };
    const g = trace(f, x6);
    const pruned = dce(g);
    expect(ops(g)).toContain("exp");
    expect(ops(pruned)).not.toContain("exp");
    expect(pruned.stats().passes).toEqual([
      { pass: "dce", nodesBefore: g.nodes.length, nodesAfter: pruned.nodes.length },
    ]);
    expectTreeClose(pruned.run(x6), f(x6));
  });

  it("keeps unused inputs so the signature stays", () => {
    const g = dce(trace((a: Tensor, _b: Tensor) => a.neg(), x6, x6));
    expect(g.inputs.length).toBe(2);
  });
});

describe("common-subexpression elimination", () => {
  it("merges equal nodes and equal small constants", () => {
    const f = (x: Tensor) => x.exp().mul(3).add(x.exp().mul(3));
    const g = trace(f, x6);
    const merged = cse(g);
    expect(ops(g).filter((o) => o === "exp").length).toBe(2);
    expect(ops(merged).filter((o) => o === "exp").length).toBe(1);
    expect(ops(merged).filter((o) => o === "mul").length).toBe(1);
    expectTreeClose(merged.run(x6), f(x6));
  });
});

describe("constant folding", () => {
  it("evaluates nodes whose inputs are all constants, once", () => {
    const c = { kind: "const", op: "const", inputs: [], shape: [3], dtype: "float32" } as const;
    const g = handGraph(
      [
        { ...c, id: 1, value: tensor([1, 2, 3]) },
        { ...c, id: 2, value: tensor([10, 20, 30]) },
        { kind: "prim", op: "mul", attrs: {}, id: 3, inputs: [1, 2], shape: [3], dtype: "float32" },
        { kind: "prim", op: "exp", attrs: {}, id: 4, inputs: [3], shape: [3], dtype: "float32" },
        { kind: "prim", op: "broadcastTo", attrs: { shape: [2, 3] }, id: 5, inputs: [4], ...t23 },
        { kind: "prim", op: "add", attrs: {}, id: 6, inputs: [0, 5], ...t23 },
      ],
      6,
    );
    const folded = dce(foldConstants(g));
    // mul and exp fold; the broadcast (bigger than its input) stays symbolic
    expect(ops(folded)).toEqual(["const", "broadcastTo", "add"]);
    const c4 = folded.nodes[0]!;
    expect(c4.kind === "const" && Array.from(c4.value.data())).toEqual(
      Array.from(tensor([10, 40, 90]).exp().data()),
    );
    const x = tensor([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    expectTreeClose(folded.run(x), g.run(x));
  });
});

describe("algebraic simplification", () => {
  it.each([
    ["x·1", (x: Tensor) => x.mul(1).neg()],
    ["1·x", (x: Tensor) => tensor(1).mul(x).neg()],
    ["x+0", (x: Tensor) => x.add(0).neg()],
    ["0+x", (x: Tensor) => tensor(0).add(x).neg()],
    ["x−0", (x: Tensor) => x.sub(0).neg()],
    ["x/1", (x: Tensor) => x.div(1).neg()],
    ["x^1", (x: Tensor) => x.pow(1).neg()],
    ["double transpose", (x: Tensor) => x.reshape([2, 3]).T.T.reshape([6]).neg()],
    [
      "reshape chain back to the input shape",
      (x: Tensor) => x.reshape([2, 3]).reshape([3, 2]).reshape([6]).neg(),
    ],
    ["−(−x)", (x: Tensor) => x.neg().neg().neg()],
  ])("removes %s", (_, f) => {
    const g = trace(f, x6);
    const s = optimize(g, { fuse: false });
    expect(ops(s)).toEqual(["neg"]);
    expectTreeClose(s.run(x6), f(x6));
  });

  it("merges reshape chains and transpose pairs that are not the identity", () => {
    const f = (x: Tensor) => x.reshape([2, 3]).reshape([3, 2]).exp();
    expect(ops(dce(simplify(trace(f, x6))))).toEqual(["reshape", "exp"]);
    const x = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const h = (t: Tensor) => t.transpose([1, 0, 2]).transpose([0, 2, 1]);
    const s = dce(simplify(trace(h, x)));
    expect(ops(s)).toEqual(["transpose"]);
    expectTreeClose(s.run(x), h(x));
  });

  it("drops a broadcast or cast to what the value already is", () => {
    const g = handGraph(
      [
        { kind: "prim", op: "broadcastTo", attrs: { shape: [2, 3] }, id: 1, inputs: [0], ...t23 },
        { kind: "prim", op: "cast", attrs: { dtype: "float32" }, id: 2, inputs: [1], ...t23 },
        { kind: "prim", op: "exp", attrs: {}, id: 3, inputs: [2], ...t23 },
      ],
      3,
    );
    expect(ops(dce(simplify(g)))).toEqual(["exp"]);
  });
});

describe("fusion", () => {
  it("fuses an elementwise chain into one kernel: y = exp(x)·2 + 1", () => {
    const f = (x: Tensor) => x.exp().mul(2).add(1);
    const g = optimize(trace(f, x6));
    expect(ops(g)).toEqual(["const", "const", "fused"]); // the 2 and the 1, baked into the kernel as literals
    expect(g.toString()).toContain("fused{ add(mul(exp(%0), broadcastTo");
    const [kernel] = g.kernels();
    expect(kernel).toContain("Math.exp(x0[i])");
    expect((g.run(x6) as Tensor).data()).toEqual(f(x6).data());
  });

  it("fuses elementwise ops into a following reduction, and bias broadcasts into the loop", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([0.5, -1, 2]);
    const f = (t: Tensor, bias: Tensor) => t.add(bias).relu().square().sum(1);
    const g = optimize(trace(f, x, b));
    expect(ops(g)).toEqual(["const", "fused"]);
    const source = g.kernels()[0]!;
    expect(source).toContain("x1[j]"); // the bias, read per column
    expect(source).toContain("acc = acc +");
    expectTreeClose(g.run(x, b), f(x, b));
  });

  it("a broadcast that does not fit the loop (a conv bias [1,c,1,1]) stays outside; ReLU's broadcast zero stays a literal", () => {
    const y = tensor(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 11),
      [2, 3, 2, 2],
    );
    const b = tensor([0.5, -1, 2]);
    const f = (y: Tensor, b: Tensor) => y.add(b.reshape([1, 3, 1, 1])).relu();
    const g = optimize(trace(f, y, b));
    // One broadcast outside (the bias, out to y's shape), not a second one making an array of zeros.
    const outside = g.nodes.filter((n) => n.op === "broadcastTo");
    expect(outside.length).toBe(1);
    expect(g.value(outside[0]!.inputs[0]!).shape).toEqual([1, 3, 1, 1]);
    // The zero's broadcast is index arithmetic inside the loop (its constant a literal in the kernel).
    expect(g.toString()).toMatch(
      /fused\{ where\(compare\[op=greater\]\(add\(%0, %3\), broadcastTo\[shape=\[2,3,2,2\]\]\(%\d+\)\)/,
    );
    expectTreeClose(g.run(y, b), f(y, b));
  });

  it("stops a chain at a value read elsewhere or returned", () => {
    const f = (x: Tensor) => {
      const e = x.exp();
      return [e.mul(2), e.add(1)];
    };
    const g = fuse(trace(f, x6));
    expect(ops(g).filter((o) => o === "exp").length).toBe(1);
    expectTreeClose(g.run(x6), f(x6));
  });
});

describe("stats", () => {
  it("counts nodes by op, passes, and bytes before/after memory planning", () => {
    let f = (x: Tensor) => x;
    for (let i = 0; i < 8; i++) {
      const prev = f;
      f = (x: Tensor) =>
        prev(x)
          .matmul(
            tensor([
              [1, 0],
              [0, 1],
            ]),
          )
          .tanh();
    }
    const g = optimize(
      trace(
        f,
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    );
    const s = g.stats();
    expect(s.ops.matmul).toBe(8);
    expect(s.passes.map((p) => p.pass)).toEqual([
      "dce",
      "simplify",
      "fold",
      "cse",
      "simplify",
      "dce",
      "fuse",
      "dce",
    ]);
    // 16 intermediate 2×2 float32 values; after planning, two buffers take turns plus the returned array
    expect(s.memory.bytesBefore).toBe(16 * 16);
    expect(s.memory.bytesAfter).toBe(3 * 16);
  });
});
