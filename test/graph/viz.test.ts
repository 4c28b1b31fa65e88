import { describe, expect, it } from "vitest";
import { Graph, type Tensor, tensor, trace } from "../../src/index.js";
import { l17Loss } from "./helpers.js";

const w = tensor([3, 1]);
const g = trace(l17Loss, w);

describe("drawing the graph", () => {
  it("DOT has one node per value and one edge per input", () => {
    const dot = g.toDot();
    expect(dot.startsWith("digraph grafo {")).toBe(true);
    for (const id of [0, 1, 2, 3, 4, 5, 6]) expect(dot).toContain(`n${id} [`);
    expect(dot).toContain("n0 -> n2;");
    expect(dot).toContain("%3 sum\\n");
    expect(dot).toContain("peripheries=2"); // the output
  });

  it("micrograd-style records with forward values and gradients (slide L17)", () => {
    const dot = g.toDot({ args: [w], values: true, grads: true });
    expect(dot).toContain(
      'n0 [shape=record, label="{ %0 input 0 | float32[2] | value [3, 1] | grad [6, 12] }"',
    );
    expect(dot).toContain("{ %2 mul | float32[2] | value [3, 2] | grad [6, 6] }");
    expect(dot).toContain("{ %6 mul | float32[] | value 9 | grad 1 }");
  });

  it("edge gradients are the building blocks' local gradients (slide L14): mul's edges show b and a", () => {
    const a = tensor(3);
    const b = tensor(2);
    const dot = trace((x: Tensor, y: Tensor) => x.mul(y), a, b).toDot({ args: [a, b], edgeGrads: true });
    expect(dot).toContain('n0 -> n2 [label="∂=2"]');
    expect(dot).toContain('n1 -> n2 [label="∂=3"]');
    const s = trace((x: Tensor) => x.sigmoid(), tensor(0));
    expect(s.toDot({ args: [tensor(0)], edgeGrads: true })).toContain('label="∂=0.25"');
  });

  it("large tensors are shown by shape and a few numbers", () => {
    const x = tensor(
      Float32Array.from({ length: 100 }, (_, i) => i),
      [10, 10],
    );
    const dot = trace((t: Tensor) => t.mul(2), x).toDot({ args: [x], values: true });
    expect(dot).toContain("value [10×10] 0, 1, 2, 3, …");
  });

  it("draws numbers from trace's example arguments by default, and needs inputs where there are none", () => {
    expect(g.toDot({ values: true, grads: true })).toContain(
      "{ %0 input 0 | float32[2] | value [3, 1] | grad [6, 12] }",
    );
    expect(g.toDot({ args: [tensor([1, 0])], values: true })).toContain(
      "{ %0 input 0 | float32[2] | value [1, 0] }",
    );
    const loaded = Graph.fromJSON(g.toJSON());
    expect(() => loaded.toDot({ values: true })).toThrow(/need example inputs/);
  });

  it("Mermaid flowchart with the same nodes and values", () => {
    const m = g.toMermaid({ args: [w], values: true, grads: true });
    expect(m.startsWith("flowchart LR")).toBe(true);
    expect(m).toContain('n0(["%0 input 0<br/>float32[2]<br/>value [3, 1]<br/>grad [6, 12]"])');
    expect(m).toContain("n2 --> n3");
    expect(m).toContain("class n6 output");
  });

  it("renders SVG with Graphviz in WebAssembly", async () => {
    const svg = await g.toSvg({ args: [w], values: true, grads: true });
    expect(svg).toContain("<svg");
    expect(svg).toContain("grad [6, 12]");
  });
});
