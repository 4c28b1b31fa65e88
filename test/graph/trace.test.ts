import { describe, expect, it } from "vitest";
import { Graph, trace } from "../../src/graph/index.js";
import { grad, type Tensor, tensor, valueAndGrad } from "../../src/index.js";
import { expectTreeClose, l17Loss } from "./helpers.js";

describe("trace", () => {
  it("records the L17 loss as a readable IR, one node a line, in topological order", () => {
    const g = trace(l17Loss, tensor([3, 1]));
    expect(g.toString()).toBe(
      [
        "graph(%0: float32[2]) {",
        "  %1 = const [1, 2] : float32[2]",
        "  %2 = mul %0 %1 : float32[2]",
        "  %3 = sum[axes=[0]] %2 : float32[]",
        "  %4 = const 2 : float32[]",
        "  %5 = sub %3 %4 : float32[]",
        "  %6 = mul %5 %5 : float32[]",
        "  return %6",
        "}",
      ].join("\n"),
    );
    expect(g.inputs).toEqual([{ id: 0, shape: [2], dtype: "float32" }]);
    expect(g.nodes.map((n) => n.op)).toEqual(["const", "mul", "sum", "const", "sub", "mul"]);
    expect(g.run(tensor([3, 1])).item()).toBe(9);
  });

  it("takes and returns pytrees, and run equals eager evaluation", () => {
    const f = (p: { w: Tensor; b: Tensor }, xs: [Tensor, Tensor]) => ({
      y: xs[0].matmul(p.w).add(p.b).tanh(),
      s: [xs[1].exp().sum(), "tag"],
    });
    const p = {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tensor([0.5, -0.5]),
    };
    const xs: [Tensor, Tensor] = [tensor([[0.1, 0.2]]), tensor([1, 2, 3])];
    const g = trace(f, p, xs);
    expectTreeClose(g.run(p, xs), f(p, xs));
  });

  it("records no values: shapes and dtypes come from the abstract rules", () => {
    const g = trace((x: Tensor) => x.reshape([3, 2]).T.sum(0), tensor([1, 2, 3, 4, 5, 6]));
    expect(g.nodes.map((n) => `${n.op}:${n.dtype}[${n.shape}]`)).toEqual([
      "reshape:float32[3,2]",
      "transpose:float32[2,3]",
      "sum:float32[3]",
    ]);
  });

  it("captures closed-over tensors as constants, broadcast scalars compactly", () => {
    const big = tensor(new Float32Array(1000).fill(1));
    const g = trace((x: Tensor) => x.add(2).mul(big), tensor(new Float32Array(1000)));
    const consts = g.nodes.filter((n) => n.kind === "const");
    expect(consts.map((c) => c.shape)).toEqual([[1], [1000]]);
    expect(g.nodes.some((n) => n.op === "broadcastTo")).toBe(true);
  });

  it("nests: trace(grad(f)) records forward and backward, and grad(graph.run) works", () => {
    const g = trace(grad(l17Loss), tensor([3, 1]));
    expect(g.nodes.length).toBeGreaterThan(6);
    expect(Array.from(g.run(tensor([3, 1])).data())).toEqual([6, 12]);
    const fwd = trace(l17Loss, tensor([3, 1]));
    expect(Array.from(grad(fwd.run)(tensor([3, 1])).data())).toEqual([6, 12]);
    const [v, gw] = valueAndGrad(fwd.run)(tensor([0, 0]));
    expect(v.item()).toBe(4);
    expect(Array.from(gw.data())).toEqual([-4, -8]);
    // a graph traced from a graph's run is the same computation
    expect(trace(fwd.run, tensor([3, 1])).toString()).toBe(fwd.toString());
  });

  it("refuses inputs of another shape and escaped tracers, naming them", () => {
    const g = trace(l17Loss, tensor([3, 1]));
    expect(() => g.run(tensor([1, 2, 3]))).toThrow(/input %0 must be float32\[2\], got float32\[3\]/);
    let leaked: Tensor | undefined;
    trace(
      (x: Tensor) => {
        leaked = x.exp();
        return leaked;
      },
      tensor([1]),
    );
    expect(() => leaked!.add(1)).toThrow(/escaped/);
    expect(() => trace((x: Tensor) => tensor([x.item()]), tensor([1]))).toThrow(/cannot read the values/);
  });

  it("round-trips through JSON, constants included (NaN and infinities too)", () => {
    const f = (x: Tensor) =>
      x
        .maximum(tensor([Number.NEGATIVE_INFINITY, 1, Number.NaN]))
        .mul(3)
        .sum();
    const g = trace(f, tensor([1, 2, 3]));
    const text = JSON.stringify(g);
    const back = Graph.fromJSON(text);
    expect(back.toString()).toBe(g.toString());
    const x = tensor([0.5, 0.5, 7]);
    expect(Number.isNaN((back.run(x) as Tensor).item())).toBe(true);
    const h = trace(
      (x: Tensor) =>
        x
          .maximum(tensor([Number.NEGATIVE_INFINITY, 1, 0]))
          .mul(3)
          .sum(),
      x,
    );
    expect((Graph.fromJSON(JSON.stringify(h)).run(x) as Tensor).item()).toBe(h.run(x).item());
    expect(() => Graph.fromJSON('{"format":"other"}')).toThrow(/not a grafo graph/);
  });

  it("checks node shapes on load", () => {
    const json = trace(l17Loss, tensor([3, 1])).toJSON();
    const broken = { ...json, nodes: json.nodes.map((n) => (n.op === "sum" ? { ...n, shape: [2] } : n)) };
    expect(() => Graph.fromJSON(broken)).toThrow(/sum.*says float32\[2\]/);
  });
});
