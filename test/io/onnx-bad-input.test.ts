/**
 * Bad ONNX files and bad export requests, each by name: a clear GrafoError
 * (OnnxError) naming the file and what is wrong, never another exception, a
 * hang or a large allocation; and a short fast-check fuzz of the importer on
 * mutated valid files (fixed seed; GRAFO_FUZZ_RUNS for a long run).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import pkg from "onnx-proto";
import { afterAll, describe, expect, test } from "vitest";
import {
  ArgumentError,
  exportOnnx,
  GrafoError,
  importOnnx,
  nn,
  OnnxError,
  OnnxModel,
  random,
  type Tensor,
  zeros,
} from "../../src/index.js";
import { FUZZ_TIMEOUT, fuzzParams } from "../fuzz/support.js";

const { onnx } = pkg;
const T = onnx.TensorProto.DataType;
type TensorSpec = NonNullable<Parameters<typeof onnx.TensorProto.create>[0]>;
type NodeSpec = NonNullable<Parameters<typeof onnx.NodeProto.create>[0]>;

const floatInput = (name: string, dims: number[]) => ({
  name,
  type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** x[2,3] → nodes → y, with initializers; the opset can be left out. */
function model(nodes: NodeSpec[], initializer: TensorSpec[] = [], opset: number | null = 17): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: opset === null ? [] : [{ domain: "", version: opset }],
      graph: {
        name: "g",
        node: nodes,
        initializer,
        input: [floatInput("x", [2, 3])],
        output: [{ name: "y" }],
      },
    }),
  ).finish();
}

const relu: NodeSpec = { opType: "Relu", name: "relu_1", input: ["x"], output: ["y"] };
const addW = (w: TensorSpec): Uint8Array =>
  model([{ opType: "Add", name: "add_w", input: ["x", "w"], output: ["y"] }], [w]);

/** The error `f` throws (failing the test when it throws none, or something other than an OnnxError). */
function onnxError(f: () => unknown): OnnxError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxError);
    return e as OnnxError;
  }
  throw new Error("expected an OnnxError, got none");
}

describe("importOnnx rejects bad files by name", () => {
  const file = { source: "model.onnx" };

  test("a valid one-node model loads (the baseline of the cases below)", () => {
    const m = importOnnx(model([relu]), file);
    expect(m).toBeInstanceOf(OnnxModel);
  });

  test("a JSON file is not protobuf", () => {
    const e = onnxError(() => importOnnx(new TextEncoder().encode('{"layers": [1, 2, 3]}'), file));
    expect(e.message).toMatch(/model\.onnx is not an ONNX model/);
  });

  test("a PNG file is not an ONNX model", () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect(onnxError(() => importOnnx(png, file)).message).toMatch(/model\.onnx is not an ONNX model/);
  });

  test("empty bytes", () => {
    expect(onnxError(() => importOnnx(new Uint8Array(0), file)).message).toMatch(/no graph/);
  });

  test("a truncated file", () => {
    const bytes = model([relu]);
    for (const n of [1, 7, bytes.length >> 1, bytes.length - 1]) {
      expect(onnxError(() => importOnnx(bytes.subarray(0, n), file)).message).toMatch(/model\.onnx/);
    }
  });

  test("not bytes at all", () => {
    expect(onnxError(() => importOnnx("model.onnx" as unknown as Uint8Array)).message).toMatch(/Uint8Array/);
  });

  test("an unsupported operator names the operator and its node", () => {
    const bytes = model([{ opType: "NonMaxSuppression", name: "nms_7", input: ["x"], output: ["y"] }]);
    const e = onnxError(() => importOnnx(bytes, file));
    expect(e.message).toMatch(/model\.onnx/);
    expect(e.message).toMatch(/node "nms_7" \(NonMaxSuppression\)/);
    expect(e.message).toMatch(/operator NonMaxSuppression, which grafo does not support/);
  });

  test("an operator from another domain", () => {
    const bytes = model([
      { opType: "Relu", domain: "com.microsoft", name: "r", input: ["x"], output: ["y"] },
    ]);
    expect(onnxError(() => importOnnx(bytes, file)).message).toMatch(/domain "com\.microsoft"/);
  });

  test("no standard opset imported", () => {
    expect(onnxError(() => importOnnx(model([relu], [], null), file)).message).toMatch(
      /no standard ONNX opset/,
    );
  });

  test("an initializer whose shape disagrees with its bytes", () => {
    const w = { name: "w", dims: [2, 3], dataType: T.FLOAT, rawData: new Uint8Array(20) };
    const e = onnxError(() => importOnnx(addW(w), file));
    expect(e.message).toMatch(
      /initializer "w": shape \[2,3\] needs 24 bytes of FLOAT data, the file holds 20/,
    );
  });

  test("an initializer with fewer values than its shape", () => {
    const w = { name: "w", dims: [2, 3], dataType: T.FLOAT, floatData: [1, 2, 3] };
    expect(onnxError(() => importOnnx(addW(w), file)).message).toMatch(/needs 6 values, the file holds 3/);
  });

  test("an absurd declared size is refused before anything is allocated", () => {
    const w = { name: "w", dims: [1e6, 1e6, 1e6], dataType: T.FLOAT, rawData: new Uint8Array(8) };
    expect(onnxError(() => importOnnx(addW(w), file)).message).toMatch(/more than grafo reads/);
    const v = { name: "w", dims: [100000, 10000], dataType: T.FLOAT, rawData: new Uint8Array(8) };
    expect(onnxError(() => importOnnx(addW(v), file)).message).toMatch(/needs 4000000000 bytes/);
  });

  test("a node asked to create an absurd shape (ConstantOfShape, Expand) is refused before creating it", () => {
    const shape = { name: "s", dims: [4], dataType: T.INT64, int64Data: [100000, 100000, 1, 1] };
    for (const op of ["ConstantOfShape", "Expand"]) {
      const inputs = op === "Expand" ? ["x", "s"] : ["s"];
      const bytes = model([{ opType: op, name: "big", input: inputs, output: ["y"] }], [shape]);
      expect(onnxError(() => importOnnx(bytes, file)).message).toMatch(
        new RegExp(
          `node "big" \\(${op}\\): shape \\[100000,100000,\\d,\\d\\] has \\d+ elements, more than grafo creates`,
        ),
      );
    }
  });

  test("a negative dimension", () => {
    const w = { name: "w", dims: [-2, 3], dataType: T.FLOAT, floatData: [] };
    expect(onnxError(() => importOnnx(addW(w), file)).message).toMatch(/invalid dimension -2/);
  });

  test("an element type grafo does not read (STRING, COMPLEX64)", () => {
    for (const [type, name] of [
      [T.STRING, "STRING"],
      [T.COMPLEX64, "COMPLEX64"],
    ] as const) {
      const w = { name: "w", dims: [1], dataType: type, rawData: new Uint8Array(8) };
      expect(onnxError(() => importOnnx(addW(w), file)).message).toMatch(
        new RegExp(`element type ${type} \\(${name}\\)`),
      );
    }
  });

  test("weights in an external file", () => {
    const w = { name: "w", dims: [2, 3], dataType: T.FLOAT, dataLocation: 1 };
    expect(onnxError(() => importOnnx(addW(w), file)).message).toMatch(/external data/);
  });

  test("a node reading a value nothing defines", () => {
    const bytes = model([{ opType: "Add", name: "add_1", input: ["x", "ghost"], output: ["y"] }]);
    expect(onnxError(() => importOnnx(bytes, file)).message).toMatch(/node "add_1" \(Add\) reads "ghost"/);
  });

  test("a weight of the wrong shape for its node fails at import, naming the node", () => {
    const w = { name: "w", dims: [5, 4], dataType: T.FLOAT, floatData: new Array(20).fill(0) };
    const bytes = model([{ opType: "MatMul", name: "mm_3", input: ["x", "w"], output: ["y"] }], [w]);
    const e = onnxError(() => importOnnx(bytes, file));
    expect(e.message).toMatch(/model\.onnx: node "mm_3" \(MatMul\) failed: matmul: inner dimensions differ/);
  });

  test("an unsupported attribute value (grouped convolution)", () => {
    const w = { name: "w", dims: [2, 1, 1, 1], dataType: T.FLOAT, floatData: [1, 1] };
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      graph: {
        name: "g",
        node: [
          {
            opType: "Conv",
            name: "dw",
            input: ["x", "w"],
            output: ["y"],
            attribute: [{ name: "group", type: 2, i: 2 }],
          },
        ],
        initializer: [w],
        input: [floatInput("x", [1, 2, 4, 4])],
        output: [{ name: "y" }],
      },
    }).finish();
    expect(onnxError(() => importOnnx(bytes, file)).message).toMatch(
      /node "dw" \(Conv\): group 2 is not supported/,
    );
  });

  test("an input of the wrong shape or dtype when running", () => {
    const m = importOnnx(model([relu]), file);
    expect(() => m.call(zeros([2, 4]))).toThrow(/input "x" must be float32\[2, 3\], got float32\[2,4\]/);
    expect(() => m.call(zeros([2, 3], "int32"))).toThrow(OnnxError);
  });
});

describe("exportOnnx rejects what it cannot write", () => {
  test("a random draw inside the function names the primitive", async () => {
    const f = (x: Tensor) => x.add(random.uniform(random.key(0), [2, 3]));
    // A concrete draw is a constant; one from traced key data is the randomUniform primitive.
    const g = (x: Tensor, k: Tensor) => nn.dropout(0.5).train().apply({}, x, { key: k, training: true });
    await expect(exportOnnx(f, [zeros([2, 3])], undefined, { dynamicBatch: false })).resolves.toBeInstanceOf(
      Uint8Array,
    );
    const k = random.keyData(random.key(1));
    await expect(exportOnnx(g, [zeros([2, 3]), k], undefined, { dynamicBatch: false })).rejects.toThrow(
      /primitive randomUniform .* has no ONNX form/,
    );
  });

  test("a Module with several example inputs, and bad names", async () => {
    const m = nn.linear(3, 2);
    await expect(exportOnnx(m, [zeros([1, 3]), zeros([1, 3])])).rejects.toThrow(ArgumentError);
    await expect(exportOnnx(m, zeros([1, 3]), undefined, { inputNames: ["a", "b"] })).rejects.toThrow(
      /inputNames must be 1 distinct non-empty names/,
    );
  });

  test("a batch size the function cannot take is an error suggesting dynamicBatch: false", async () => {
    const w = zeros([2, 3]);
    const f = (x: Tensor) => x.add(w);
    await expect(exportOnnx(f, zeros([2, 3]))).rejects.toThrow(/dynamicBatch: false/);
    await expect(exportOnnx(f, zeros([2, 3]), undefined, { dynamicBatch: false })).resolves.toBeInstanceOf(
      Uint8Array,
    );
  });
});

describe("exportOnnx writes files atomically", () => {
  let dir = "";
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the file holds the returned bytes and no temporary file is left", async () => {
    dir = await mkdtemp(join(tmpdir(), "grafo-onnx-"));
    const path = join(dir, "mlp.onnx");
    const model = nn.mlp([3, 4, 2], { key: random.key(2) });
    const bytes = await exportOnnx(model, zeros([1, 3]), path);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(dir)).toEqual(["mlp.onnx"]);
    const x = random.normal(random.key(3), [5, 3]);
    const back = importOnnx(await readFile(path), { source: path });
    expect(back.call(x).sub(model.eval().call(x)).abs().max().item()).toBeLessThan(1e-6);
  });

  test("a failed export leaves the existing file as it was", async () => {
    dir ||= await mkdtemp(join(tmpdir(), "grafo-onnx-"));
    const path = join(dir, "keep.onnx");
    await writeFile(path, "the good model");
    const k = random.keyData(random.key(1));
    const g = (x: Tensor, key: Tensor) => nn.dropout(0.5).apply({}, x, { key, training: true });
    await expect(exportOnnx(g, [zeros([2, 3]), k], path, { dynamicBatch: false })).rejects.toThrow(
      GrafoError,
    );
    await expect(
      exportOnnx(nn.linear(3, 2), zeros([1, 3]), join(dir, "no-such-folder", "m.onnx")),
    ).rejects.toThrow(GrafoError);
    expect(await readFile(path, "utf8")).toBe("the good model");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("importOnnx fuzzed with mutated valid files", () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant("varint" as const), at: fc.nat() }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
    let b = bytes;
    for (const m of ms) {
      const at = b.length === 0 ? 0 : m.at % b.length;
      if (m.kind === "flip") {
        b = b.slice();
        b[at] = m.value;
      } else if (m.kind === "truncate") b = b.subarray(0, at);
      else if (m.kind === "insert")
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
      // A huge varint (a length or dimension of 2^62) where a byte was.
      else
        b = Uint8Array.from([
          ...b.subarray(0, at),
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0x3f,
          ...b.subarray(at + 1),
        ]);
    }
    return b;
  }

  test(
    "every mutated MLP or CNN file loads or fails with a GrafoError",
    async () => {
      const mlp = await exportOnnx(nn.mlp([4, 6, 3], { key: random.key(4) }), zeros([1, 4]));
      const cnn = await exportOnnx(
        nn.sequential(nn.conv2d(1, 2, 3, { key: random.key(5) }), nn.relu(), nn.maxPool2d(2), nn.flatten()),
        zeros([1, 1, 6, 6]),
      );
      let loaded = 0;
      fc.assert(
        fc.property(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (useCnn, ms) => {
          const bytes = mutate(useCnn ? cnn : mlp, ms);
          try {
            const m = importOnnx(bytes, { source: "fuzzed.onnx" });
            expect(m).toBeInstanceOf(OnnxModel);
            loaded++;
          } catch (e) {
            if (!(e instanceof GrafoError)) throw e;
            expect(e.message).toMatch(/fuzzed\.onnx|OnnxModel/);
          }
        }),
        fuzzParams(300),
      );
      // Some mutations (in weight bytes) leave a loadable model: the property saw both outcomes.
      expect(loaded).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );
});
