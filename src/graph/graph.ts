import { checkDType, type DType } from "../core/dtype.js";
import { GrafoError } from "../core/errors.js";
import { formatTensor } from "../core/format.js";
import type { PrimName } from "../core/primitives.js";
import { checkShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { abstractEval } from "../ops/dispatch.js";
import { primitiveTable } from "../ops/table.js";
import { type DotOptions, toDot } from "../viz/dot.js";
import type { DrawOptions } from "../viz/labels.js";
import { toMermaid } from "../viz/mermaid.js";
import { renderSvg } from "../viz/svg.js";
import { gradGraph, jvpGraph } from "./differentiate.js";
import { checkInputs, evalNode } from "./evaluate.js";
import {
  formatAttrs,
  formatType,
  type GraphNode,
  type GraphValue,
  type PassRecord,
  type PrimNode,
} from "./ir.js";
import { describeFused, kernelSources } from "./kernel/lower.js";
import { type OptimizeOptions, optimize } from "./passes/index.js";
import { type MemoryStats, memoryStats } from "./plan/memory.js";
import { flattenTree, type TreeDef, unflattenTree } from "./treedef.js";

/** Counts and sizes `graph.stats()` reports. */
export interface GraphStats {
  readonly inputs: number;
  readonly outputs: number;
  /** All nodes, constants and fused kernels included. */
  readonly nodes: number;
  readonly constants: number;
  readonly fused: number;
  /** Nodes per op name. */
  readonly ops: Readonly<Record<string, number>>;
  /** What each optimization pass did, in order. */
  readonly passes: readonly PassRecord[];
  /** Bytes of intermediate buffers: one per value (before planning) vs after liveness-based reuse. */
  readonly memory: MemoryStats;
}

/** Graphs serialised by `toJSON`. Numbers that JSON cannot hold (NaN, ±Infinity) are strings. */
export interface GraphJSON {
  readonly format: "grafo-graph";
  readonly version: 1;
  readonly inputs: readonly { id: number; shape: readonly number[]; dtype: DType }[];
  readonly nodes: readonly NodeJSON[];
  readonly outputs: readonly number[];
  readonly inTree: TreeDef;
  readonly outTree: TreeDef;
  readonly passes: readonly PassRecord[];
}

/** One node as JSON. */
export interface NodeJSON {
  readonly id: number;
  readonly op: PrimName | "const" | "fused";
  readonly inputs: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly attrs?: object;
  readonly data?: readonly (number | string)[];
  readonly body?: readonly NodeJSON[];
}

/**
 * A computational graph (slide L11): a DAG whose root is the whole expression
 * and whose nodes are its subexpressions. Inputs are the function's tensor
 * arguments (flattened from pytrees), nodes are primitives in topological order
 * (constants included), outputs are ids of values. It prints, draws,
 * differentiates, optimizes and runs. Make one with `trace(f, ...exampleArgs)`.
 *
 * `A` and `R` are the traced function's argument and result types, so that
 * `run` is typed like the function.
 */
export class Graph<A extends readonly unknown[] = readonly unknown[], R = unknown> {
  private byId: Map<number, GraphValue> | undefined;
  /**
   * The arguments `trace` was given (kept by `optimize`): drawings with values
   * and gradients use them unless `args` says otherwise.
   */
  exampleArgs: A | undefined = undefined;

  /** @internal use `trace`, `Graph.fromJSON` or a pass. */
  constructor(
    /** The tensor inputs, in the order the arguments flatten. */
    readonly inputs: readonly GraphValue[],
    /** Nodes in topological order: every node's inputs come before it. */
    readonly nodes: readonly GraphNode[],
    /** Ids of the output values, in the order the result flattens. */
    readonly outputs: readonly number[],
    /** Structure of the argument list (an array of pytrees). */
    readonly inTree: TreeDef,
    /** Structure of the result. */
    readonly outTree: TreeDef,
    /** Passes applied so far. */
    readonly passes: readonly PassRecord[] = [],
  ) {
    // Bound, so `grad(g.run)` and `compile(g.run)` work without `.bind(g)`.
    this.run = this.run.bind(this);
  }

  /** The input or node with this id. */
  value(id: number): GraphValue {
    this.byId ??= new Map<number, GraphValue>([...this.inputs, ...this.nodes].map((v) => [v.id, v]));
    const v = this.byId.get(id);
    if (!v) throw new GrafoError(`graph: no value %${id}`);
    return v;
  }

  /** The node with this id, or undefined for an input. */
  node(id: number): GraphNode | undefined {
    const v = this.value(id);
    return "kind" in v ? (v as GraphNode) : undefined;
  }

  /** How many nodes read each value (outputs count as readers too). */
  uses(): Map<number, number> {
    const uses = new Map<number, number>();
    const bump = (id: number) => uses.set(id, (uses.get(id) ?? 0) + 1);
    for (const n of this.nodes) n.inputs.forEach(bump);
    this.outputs.forEach(bump);
    return uses;
  }

  /**
   * Evaluates the graph by binding each node's primitive in order, so the
   * result equals running the function eagerly, and `run` can itself be
   * differentiated (`grad(g.run)`) or traced again.
   */
  run(...args: A): R {
    const [leaves] = flattenTree(args, true, "graph.run");
    checkInputs(this, leaves, "graph.run");
    const env = new Map<number, Tensor>();
    this.inputs.forEach((v, k) => {
      env.set(v.id, leaves[k]!);
    });
    for (const node of this.nodes) env.set(node.id, evalNode(node, env));
    return unflattenTree(
      this.outTree,
      this.outputs.map((id) => env.get(id)!),
    ) as R;
  }

  /**
   * The readable IR, one node a line in topological order, in the style of a
   * JAX jaxpr: `%3 = mul %1 %2 : float32[2]`.
   */
  toString(): string {
    const lines = [`graph(${this.inputs.map((v) => `%${v.id}: ${formatType(v)}`).join(", ")}) {`];
    for (const n of this.nodes) lines.push(`  ${formatNode(n)}`);
    lines.push(`  return ${this.outputs.map((id) => `%${id}`).join(", ")}`, "}");
    return lines.join("\n");
  }

  /** A JSON-able description (constants included) that `Graph.fromJSON` turns back into this graph. */
  toJSON(): GraphJSON {
    return {
      format: "grafo-graph",
      version: 1,
      inputs: this.inputs.map(({ id, shape, dtype }) => ({ id, shape, dtype })),
      nodes: this.nodes.map(nodeToJSON),
      outputs: this.outputs,
      inTree: this.inTree,
      outTree: this.outTree,
      passes: this.passes,
    };
  }

  /** Rebuilds a graph from `toJSON()` output (or its parsed JSON text), checking every node's shape. */
  static fromJSON(json: GraphJSON | string): Graph {
    const j: GraphJSON = typeof json === "string" ? JSON.parse(json) : json;
    if (j?.format !== "grafo-graph" || j.version !== 1)
      throw new GrafoError("Graph.fromJSON: not a grafo graph (expected format 'grafo-graph', version 1)");
    const known = new Map<number, GraphValue>();
    const inputs = j.inputs.map((v) => {
      const value = {
        id: v.id,
        shape: checkShape("Graph.fromJSON", v.shape),
        dtype: checkDType(v.dtype, "Graph.fromJSON"),
      };
      known.set(v.id, value);
      return value;
    });
    const nodes = j.nodes.map((n) => {
      const node = nodeFromJSON(n, known);
      known.set(node.id, node);
      return node;
    });
    for (const id of j.outputs)
      if (!known.has(id)) throw new GrafoError(`Graph.fromJSON: output %${id} is not defined`);
    return new Graph(inputs, nodes, j.outputs, j.inTree, j.outTree, j.passes ?? []);
  }

  /** Node counts, what each pass removed, and the memory plan's byte counts. */
  stats(): GraphStats {
    const ops: Record<string, number> = {};
    for (const n of this.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
    return {
      inputs: this.inputs.length,
      outputs: this.outputs.length,
      nodes: this.nodes.length,
      constants: ops.const ?? 0,
      fused: ops.fused ?? 0,
      ops,
      passes: this.passes,
      memory: memoryStats(this),
    };
  }

  /**
   * A new graph computing `[outputs, gradients]` (TensorFlow-1 style symbolic
   * differentiation): the gradient of the scalar output with respect to
   * argument `wrt` (a list gives a list of gradients), built by tracing
   * `valueAndGrad(this.run, wrt)` so it uses the same rules as eager `grad`.
   */
  grad(wrt: number | readonly number[] = 0): Graph {
    return gradGraph(this as unknown as Graph, wrt);
  }

  /**
   * A new graph of forward-mode derivatives: it takes the arguments followed by
   * one tangent per argument (same structures) and returns `[outputs, tangentOutputs]`.
   */
  jvp(): Graph {
    return jvpGraph(this as unknown as Graph);
  }

  /** Runs the optimization passes (all by default: DCE, simplification, constant folding, CSE, fusion). */
  optimize(options: OptimizeOptions = {}): Graph<A, R> {
    const g = optimize(this, options) as unknown as Graph<A, R>;
    g.exampleArgs = this.exampleArgs;
    return g;
  }

  /** The generated source of each kernel a compiled plan of this graph would run (debug view). */
  kernels(): string[] {
    return kernelSources(this);
  }

  /** Graphviz DOT text; see `DotOptions` for values, gradients and edge gradients. */
  toDot(options: DotOptions<A> = {}): string {
    return toDot(this as unknown as Graph, this.withExamples(options) as DotOptions);
  }

  /** An SVG picture of `toDot(options)`, laid out by Graphviz compiled to WebAssembly. */
  toSvg(options: DotOptions<A> = {}): Promise<string> {
    return renderSvg(this.toDot(options));
  }

  /** Mermaid flowchart text (renders in GitHub markdown), with values and gradients as for `toDot`. */
  toMermaid(options: DrawOptions<A> = {}): string {
    return toMermaid(this as unknown as Graph, this.withExamples(options) as DrawOptions);
  }

  private withExamples<O extends DrawOptions<A>>(options: O): O {
    return options.args || !this.exampleArgs ? options : { ...options, args: this.exampleArgs };
  }
}

function formatConst(t: Tensor): string {
  if (t.size > 8) return `<${t.size} values>`;
  const text = formatTensor(t.data(), t.shape, t.dtype);
  return text.slice("Tensor(".length, text.lastIndexOf(", dtype=")).replace(/\s+/g, " ");
}

/** One line of the printed IR. */
export function formatNode(n: GraphNode): string {
  const ins = n.inputs.map((i) => `%${i}`).join(" ");
  const type = formatType(n);
  switch (n.kind) {
    case "const":
      return `%${n.id} = const ${formatConst(n.value)} : ${type}`;
    case "prim": {
      const attrs = formatAttrs(n.attrs);
      return `%${n.id} = ${n.op}${attrs ? `[${attrs}]` : ""} ${ins} : ${type}`;
    }
    case "fused":
      return `%${n.id} = fused{ ${describeFused(n)} } ${ins} : ${type}`;
  }
}

function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function nodeToJSON(n: GraphNode | PrimNode): NodeJSON {
  const base = { id: n.id, op: n.op, inputs: n.inputs, shape: n.shape, dtype: n.dtype };
  switch (n.kind) {
    case "const":
      return { ...base, data: Array.from(n.value.data(), encodeNumber) };
    case "prim":
      return { ...base, attrs: n.attrs };
    case "fused":
      return { ...base, body: n.body.map(nodeToJSON) };
  }
}

function nodeFromJSON(n: NodeJSON, known: Map<number, GraphValue>): GraphNode {
  const shape = checkShape("Graph.fromJSON", n.shape);
  const dtype = checkDType(n.dtype, "Graph.fromJSON");
  const inputs = n.inputs.map((i) => {
    const v = known.get(i);
    if (!v) throw new GrafoError(`Graph.fromJSON: node %${n.id} reads %${i}, which is not defined before it`);
    return v;
  });
  if (n.op === "const") {
    const data = (n.data ?? []).map((v) => (typeof v === "string" ? Number(v) : v));
    const value = Tensor._fromData(castArray(data, dtype), shape, dtype);
    return { kind: "const", op: "const", id: n.id, inputs: [], shape, dtype, value };
  }
  if (n.op === "fused") {
    const local = new Map(known);
    const body = (n.body ?? []).map((b) => {
      const node = nodeFromJSON(b, local);
      if (node.kind !== "prim")
        throw new GrafoError(`Graph.fromJSON: fused node %${n.id} holds a ${node.op}`);
      local.set(node.id, node);
      return node;
    });
    return { kind: "fused", op: "fused", id: n.id, inputs: n.inputs, shape, dtype, body };
  }
  if (!(n.op in primitiveTable())) throw new GrafoError(`Graph.fromJSON: unknown primitive "${n.op}"`);
  const aval = abstractEval(n.op, inputs, (n.attrs ?? {}) as never);
  if (!shapesEqual(aval.shape, shape) || aval.dtype !== dtype)
    throw new GrafoError(
      `Graph.fromJSON: node %${n.id} (${n.op}) says ${formatType({ shape, dtype })} but its inputs give ${formatType(aval)}`,
    );
  return {
    kind: "prim",
    op: n.op,
    id: n.id,
    inputs: n.inputs,
    shape,
    dtype,
    attrs: (n.attrs ?? {}) as never,
  };
}

function castArray(data: readonly number[], dtype: DType) {
  switch (dtype) {
    case "float32":
      return Float32Array.from(data);
    case "int32":
      return Int32Array.from(data);
    case "bool":
      return Uint8Array.from(data);
    case "float64":
      return Float64Array.from(data);
  }
}
