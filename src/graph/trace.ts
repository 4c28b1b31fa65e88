import { GrafoError } from "../core/errors.js";
import type { Aval, PrimAttrs, PrimName } from "../core/primitives.js";
import { contiguousStrides, sizeOf } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { Trace, Tracer, withTrace } from "../core/trace.js";
import { abstractEval } from "../ops/dispatch.js";
import { Graph } from "./graph.js";
import { type GraphNode, type GraphValue, primNode } from "./ir.js";
import { flattenTree, type TreeDef, unflattenTree } from "./treedef.js";

/** What a traced tensor carries while a graph is recorded: the id of its value. No data. */
class GraphTracer extends Tracer {
  constructor(
    readonly trace: GraphTrace,
    readonly id: number,
  ) {
    super();
  }
  concrete(): Tensor | undefined {
    return undefined;
  }
}

/**
 * Records every primitive applied to its tracers as a graph node, computing
 * only shapes and dtypes (by each primitive's abstract rule), never values.
 * Like JvpTrace and VjpTrace it sits on the level stack, so a `grad` inside a
 * traced function has its forward and backward ops recorded here too.
 */
class GraphTrace extends Trace {
  readonly nodes: GraphNode[] = [];
  private nextId = 0;
  private readonly constants = new Map<Tensor, number>();

  process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
    const ids = inputs.map((t) => this.idOf(t));
    const aval = abstractEval(prim, inputs, attrs);
    return this.emit(prim, attrs, ids, aval);
  }

  emit<P extends PrimName>(prim: P, attrs: PrimAttrs[P], ids: readonly number[], aval: Aval): Tensor {
    const id = this.nextId++;
    this.nodes.push(primNode(id, prim, attrs, ids, aval.shape, aval.dtype));
    return Tensor._traced(aval, new GraphTracer(this, id));
  }

  input(aval: Aval): [Tensor, GraphValue] {
    const id = this.nextId++;
    return [Tensor._traced(aval, new GraphTracer(this, id)), { id, shape: aval.shape, dtype: aval.dtype }];
  }

  own(t: Tensor): GraphTracer | undefined {
    const tr = t._tracer;
    return tr instanceof GraphTracer && tr.trace === this ? tr : undefined;
  }

  /** The id of a tensor used by a traced op: its node, or a constant node for a concrete tensor. */
  idOf(t: Tensor): number {
    const own = this.own(t);
    if (own) return own.id;
    if (t._tracer)
      throw new GrafoError(
        "trace: the traced function closes over a tensor that an enclosing grad/jvp/trace is transforming; pass it to the function as an argument instead",
      );
    const known = this.constants.get(t);
    if (known !== undefined) return known;
    const id = this.constant(t);
    this.constants.set(t, id);
    return id;
  }

  /**
   * A captured concrete tensor becomes a constant node. A broadcast view (some
   * stride 0, as `x.add(2)` makes of the 2) is stored compactly and broadcast
   * by a node, so a scalar does not turn into a large constant.
   */
  private constant(t: Tensor): number {
    const buf = t._buf!;
    const broadcastAxes = t.shape.map((d, i) => d > 1 && buf.strides[i] === 0);
    if (broadcastAxes.some(Boolean)) {
      const compactShape = t.shape.map((d, i) => (broadcastAxes[i] ? 1 : d));
      const compact = new Tensor(compactShape, t.dtype, {
        data: buf.data,
        strides: buf.strides,
        offset: buf.offset,
      });
      const base = this.constant(compact);
      const out = this.emit("broadcastTo", { shape: t.shape }, [base], t);
      return (out._tracer as GraphTracer).id;
    }
    const id = this.nextId++;
    const contiguous =
      buf.offset === 0 &&
      buf.data.length === sizeOf(t.shape) &&
      buf.strides.every((s, i) => s === contiguousStrides(t.shape)[i] || t.shape[i] === 1);
    const value = contiguous ? t : Tensor._fromData(t.data(), t.shape, t.dtype);
    this.nodes.push({ kind: "const", op: "const", id, inputs: [], shape: t.shape, dtype: t.dtype, value });
    return id;
  }
}

/**
 * Traces `f` on tensors of the given abstract values into a Graph. The
 * building block of `trace` and of the graph transformations (grad, jvp),
 * which only know their inputs' shapes.
 */
export function traceAbstract(
  f: (...args: never[]) => unknown,
  inTree: TreeDef,
  avals: readonly Aval[],
): Graph {
  return withTrace(
    (level) => new GraphTrace(level),
    (tr) => {
      const inputs: GraphValue[] = [];
      const tracers = avals.map((aval) => {
        const [t, v] = tr.input({ shape: aval.shape, dtype: aval.dtype });
        inputs.push(v);
        return t;
      });
      const args = unflattenArgs(inTree, tracers);
      const result = f(...(args as never[]));
      const [leaves, outTree] = flattenTree(result, false, "trace");
      const outputs = leaves.map((t) => tr.idOf(t));
      return new Graph(inputs, tr.nodes, outputs, inTree, outTree);
    },
  );
}

function unflattenArgs(inTree: TreeDef, leaves: readonly Tensor[]): unknown[] {
  const args = unflattenTree(inTree, leaves);
  if (!Array.isArray(args)) throw new GrafoError("trace: the argument structure must be a list");
  return args;
}

/**
 * Records `f` as a computational graph (slide L11). `exampleArgs` are used for
 * their shapes, dtypes and structure only (pytrees of tensors, like `grad`;
 * bare numbers become float32 scalar inputs). Tensors `f` closes over become
 * constant nodes. Since traces nest, `trace(grad(f), x)` records the forward and
 * the backward pass together.
 *
 * ```ts
 * const g = trace((w) => w.dot(phi).sub(2).square(), tensor([3, 1]));
 * console.log(g.toString());
 * g.run(tensor([3, 1])); // Tensor(9)
 * ```
 */
export function trace<A extends readonly unknown[], R>(f: (...args: A) => R, ...exampleArgs: A): Graph<A, R> {
  const [leaves, inTree] = flattenTree(exampleArgs, true, "trace");
  const graph = traceAbstract(f as (...args: never[]) => unknown, inTree, leaves) as unknown as Graph<A, R>;
  graph.exampleArgs = exampleArgs;
  return graph;
}
