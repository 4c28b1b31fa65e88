import type { DType } from "../../core/dtype.js";
import { GrafoError } from "../../core/errors.js";
import type { Aval } from "../../core/primitives.js";
import { Tensor } from "../../core/tensor.js";
import { traceAbstract } from "../../graph/trace.js";
import { type Context, Module, type ParamTree } from "../../nn/module.js";
import { OnnxError } from "./errors.js";
import { NodeContext, ONNX_OPS } from "./ops.js";
import { decodeModel, type ModelProto, type NodeSpec, toNumber } from "./proto.js";
import { grafoType, tensorFromProto } from "./tensors.js";

/** A graph input or output of an imported model: symbolic dimensions (`batch`) are strings. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Undefined for an output whose type the file leaves to the runtime to infer. */
  readonly dtype: DType | undefined;
  /** Undefined when the file does not say. */
  readonly shape: readonly (number | string)[] | undefined;
}

export interface ImportOnnxOptions {
  /** What the bytes are (a file name), for error messages. */
  source?: string;
}

/** Where a node's input comes from when the graph runs. */
type Source = "param" | "buffer" | "const";

/**
 * An ONNX model as a grafo Module: float initializers are its parameters
 * (batchNorm's running statistics its buffers), under their ONNX names, and
 * the forward pass runs the ONNX nodes as grafo ops. So it runs eagerly,
 * traces, compiles, differentiates (`grad(p => loss(m.apply(p, x), y))(m.parameters())`)
 * and trains with `fit` like any other model. Dropout is the identity and
 * batchNorm uses its running statistics, as ONNX inference graphs define them.
 */
export class OnnxModel extends Module {
  private readonly constants = new Map<string, Tensor>();
  private readonly sources = new Map<string, Source>();

  /** @internal use `importOnnx`. */
  constructor(
    private readonly nodes: readonly NodeSpec[],
    initializers: ReadonlyMap<string, Tensor>,
    bufferNames: ReadonlySet<string>,
    readonly inputs: readonly OnnxValueInfo[],
    readonly outputs: readonly OnnxValueInfo[],
    private readonly opset: number,
    private readonly source: string,
  ) {
    super();
    for (const [name, t] of initializers) {
      if (bufferNames.has(name)) {
        this.registerBuffer(name, t);
        this.sources.set(name, "buffer");
      } else if (t.dtype === "float32" || t.dtype === "float64") {
        this.registerParameter(name, t);
        this.sources.set(name, "param");
      } else {
        this.constants.set(name, t);
        this.sources.set(name, "const");
      }
    }
  }

  override get typeName(): string {
    return "OnnxModel";
  }

  protected override describe(): string {
    return `${this.nodes.length} nodes, inputs ${this.inputs.map((v) => v.name).join(", ")}`;
  }

  /** The first output for the single input (the Module interface); `runAll` takes several. */
  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if (this.inputs.length !== 1)
      throw new OnnxError(
        `OnnxModel: the model takes ${this.inputs.length} inputs (${this.inputs.map((v) => v.name).join(", ")}); use runAll`,
      );
    return this.runNodes(params, (name) => ctx.buffer(name), [x])[0]!;
  }

  /**
   * Runs the graph on all its inputs (in `inputs` order) and returns every
   * output, with the model's own parameters or `params` (same tree as `parameters()`).
   */
  runAll(inputs: readonly Tensor[], params: ParamTree = this.parameters()): Tensor[] {
    const buffers = this.buffers();
    return this.runNodes(params, (name) => buffers[name] as Tensor, inputs);
  }

  private runNodes(params: ParamTree, buffer: (name: string) => Tensor, inputs: readonly Tensor[]): Tensor[] {
    if (inputs.length !== this.inputs.length)
      throw new OnnxError(`OnnxModel: the model takes ${this.inputs.length} inputs, got ${inputs.length}`);
    const env = new Map<string, Tensor>();
    this.inputs.forEach((v, i) => {
      const t = inputs[i]!;
      if (!(t instanceof Tensor)) throw new OnnxError(`OnnxModel: input "${v.name}" is not a Tensor`);
      checkInput(v, t);
      env.set(v.name, t);
    });
    const read = (name: string): Tensor | undefined => {
      if (name === "") return undefined;
      const known = env.get(name);
      if (known) return known;
      switch (this.sources.get(name)) {
        case "param": {
          const p = params[name];
          if (!(p instanceof Tensor)) throw new OnnxError(`OnnxModel: parameter "${name}" is missing`);
          return p;
        }
        case "buffer":
          return buffer(name);
        case "const":
          return this.constants.get(name);
        default:
          return undefined;
      }
    };
    for (const node of this.nodes) {
      const where = `${this.source}: ${describeNode(node)}`;
      const ins = (node.input ?? []).map((name) => {
        const t = read(name);
        if (name !== "" && !t)
          throw new OnnxError(`importOnnx: ${where} reads "${name}", which is not defined before it`);
        return t;
      });
      const ctx = new NodeContext(node, this.opset, where);
      let result: Tensor | readonly Tensor[];
      try {
        result = ONNX_OPS[node.opType ?? ""]!(ins, ctx);
      } catch (e) {
        if (e instanceof OnnxError) throw e;
        const message = (e as Error).message.split("\n")[0];
        throw new OnnxError(`importOnnx: ${where} failed: ${message}`);
      }
      const outs = result instanceof Tensor ? [result] : result;
      (node.output ?? []).forEach((name, i) => {
        if (name && outs[i]) env.set(name, outs[i]!);
      });
    }
    return this.outputs.map((v) => {
      const t = read(v.name);
      if (!t) throw new OnnxError(`importOnnx: ${this.source}: output "${v.name}" is never computed`);
      return t;
    });
  }
}

function describeNode(n: NodeSpec): string {
  return `node "${n.name || (n.output ?? [])[0] || "?"}" (${n.opType})`;
}

function checkInput(v: OnnxValueInfo, t: Tensor): void {
  const shape = v.shape;
  const bad =
    t.dtype !== v.dtype ||
    (shape !== undefined &&
      (shape.length !== t.rank || shape.some((d, i) => typeof d === "number" && d > 0 && d !== t.shape[i])));
  if (bad)
    throw new OnnxError(
      `OnnxModel: input "${v.name}" must be ${v.dtype}[${shape?.join(", ") ?? "?"}], got ${t.dtype}[${t.shape}]`,
    );
}

/**
 * Reads an ONNX model (bytes of a `.onnx` file) into an `OnnxModel`, a grafo
 * Module made of the ops grafo has. Every node is checked when importing:
 * an op grafo lacks is an error naming it and its node, and the graph is
 * traced once on its declared input shapes (symbolic sizes taken as 1) so a
 * shape that does not fit fails here, not at the first call.
 *
 * ```ts
 * const model = importOnnx(await readFile("mlp.onnx"));
 * model.call(x);                                   // runs
 * compile((p, x) => model.apply(p, x));            // compiles
 * grad((p) => loss(model.apply(p, x), y))(model.parameters()); // differentiates
 * ```
 */
export function importOnnx(bytes: Uint8Array | ArrayBuffer, options: ImportOnnxOptions = {}): OnnxModel {
  const source = options.source ?? "the ONNX bytes";
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer))
    throw new OnnxError(`importOnnx: expected the bytes of an ONNX file (Uint8Array or ArrayBuffer)`);
  const model = decodeModel(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), source);
  const graph = model.graph!;
  const opset = defaultOpset(model, source);
  const nodes = graph.node ?? [];
  for (const n of nodes) {
    if (n.domain && n.domain !== "ai.onnx")
      throw new OnnxError(
        `importOnnx: ${source}: ${describeNode(n)} is from domain "${n.domain}", which grafo does not support`,
      );
    if (!n.opType || !Object.hasOwn(ONNX_OPS, n.opType))
      throw new OnnxError(
        `importOnnx: ${source}: ${describeNode(n)} uses the operator ${n.opType || "(none)"}, which grafo does not support`,
      );
  }
  const initializers = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? "";
    if (!name) throw new OnnxError(`importOnnx: ${source}: an initializer has no name`);
    initializers.set(name, tensorFromProto(t, `importOnnx: ${source}: initializer "${name}"`));
  }
  const info =
    (what: string) =>
    (v: NonNullable<typeof graph.input>[number]): OnnxValueInfo => {
      const tt = v.type?.tensorType;
      const name = v.name ?? "";
      if (name && what === "output" && !tt?.elemType) return { name, dtype: undefined, shape: undefined };
      if (!name || !tt) throw new OnnxError(`importOnnx: ${source}: ${what} "${name}" is not a tensor`);
      const dims = tt.shape?.dim;
      return {
        name,
        dtype: grafoType(tt.elemType ?? 0, `importOnnx: ${source}: ${what} "${name}"`),
        shape: dims
          ? dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? toNumber(d.dimValue) : "?"))
          : undefined,
      };
    };
  // Older exporters list initializers among the inputs too; those are weights, not inputs.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? "")).map(info("input"));
  const outputs = (graph.output ?? []).map(info("output"));
  const bufferNames = new Set<string>();
  for (const n of nodes)
    if (n.opType === "BatchNormalization")
      for (const i of [3, 4]) if (n.input?.[i]) bufferNames.add(n.input[i]!);
  const result = new OnnxModel(nodes, initializers, bufferNames, inputs, outputs, opset, source);
  result.eval();
  checkByTracing(result, source);
  return result;
}

function defaultOpset(model: ModelProto, source: string): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  if (!entry) throw new OnnxError(`importOnnx: ${source}: the model imports no standard ONNX opset`);
  const version = toNumber(entry.version);
  if (version < 7)
    throw new OnnxError(`importOnnx: ${source}: opset ${version} is too old (grafo reads 7 and later)`);
  return version;
}

/** Traces the model once on its declared input shapes (symbolic or unknown sizes as 1), without computing. */
function checkByTracing(model: OnnxModel, source: string): void {
  if (model.inputs.some((v) => v.shape === undefined)) return;
  const avals: Aval[] = model.inputs.map((v) => ({
    shape: v.shape!.map((d) => (typeof d === "number" && d > 0 ? d : 1)),
    dtype: v.dtype!,
  }));
  const params = model.parameters();
  try {
    traceAbstract(
      ((...xs: Tensor[]) => model.runAll(xs, params)) as (...args: never[]) => unknown,
      { kind: "array", items: avals.map(() => ({ kind: "leaf" as const })) },
      avals,
    );
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    if (e instanceof GrafoError) throw new OnnxError(`importOnnx: ${source}: ${e.message.split("\n")[0]}`);
    throw e;
  }
}
