import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  FileFormatError,
  type GrafoError,
  load,
  loadModel,
  loadWeights,
  modelCheckpoint,
  nn,
  random,
  readModelInfo,
  readSafetensors,
  StorageError,
  save,
  Tensor,
  tensor,
} from "../../src/index.js";
import { GRAFO_VERSION, MODEL_FORMAT_VERSION } from "../../src/io/index.js";
import { cat, le, specFile } from "./spec.js";
import { tempDirs } from "./temp.js";

const tempDir = tempDirs("grafo-io-");

const k = (i: number) => random.key(i);
const same = (a: Tensor, b: Tensor) => expect(Array.from(b.data())).toEqual(Array.from(a.data()));

/** Every built-in layer, with non-default options, and running statistics that are not the initial ones. */
function everyLayer() {
  const cnn = nn.sequential(
    nn.conv2d(1, 4, 3, { padding: "same", key: k(1) }),
    nn.batchNorm(4, { momentum: 0.3, eps: 1e-3 }),
    nn.relu(),
    nn.maxPool2d(2),
    nn.conv2d(4, 3, [3, 2], { stride: [1, 2], padding: 1, dilation: 1, bias: false, key: k(2) }),
    nn.avgPool2d(2, { stride: 1 }),
    nn.flatten(),
    nn.dropout(0.25),
    nn.linear(6, 6, { key: k(3) }),
    nn.layerNorm(6, { eps: 1e-4 }),
    nn.gelu(true),
    nn.leakyRelu(0.1),
    nn.elu(0.5),
    nn.linear(6, 5, { bias: false, key: k(4) }),
    nn.tanh(),
    nn.sigmoid(),
    nn.softmax(0),
    nn.step(),
    nn.gelu(),
    nn.activationLayer("linear"),
  );
  const x = random.normal(k(5), [3, 1, 6, 6]);
  cnn.train();
  cnn.call(x); // running statistics move away from 0 and 1
  cnn.eval();
  return { model: cnn, x };
}

describe("save and load: grafo's model folder", () => {
  it("round-trips every built-in layer: same printout, same outputs bit for bit", async () => {
    const { model, x } = everyLayer();
    const dir = join(tempDir(), "cnn");
    await save(model, dir);
    expect(readdirSync(dir).sort()).toEqual(["model.json", "weights.safetensors"]);
    const back = await load(dir);
    expect(back.toString()).toBe(model.toString());
    expect(back.training).toBe(false);
    same(model.predict(x), back.predict(x));
    same(model.stateDict()["1.runningMean"]!, back.stateDict()["1.runningMean"]!);
  });

  it("round-trips nn.mlp, embeddings and polynomial features", async () => {
    const mlp = nn.mlp([3, 8, 8, 2], { activation: "tanh", outputActivation: "sigmoid", key: k(7) });
    const x = random.normal(k(8), [4, 3]);
    same(mlp.predict(x), (await load(await save(mlp))).predict(x));

    const emb = nn.sequential(
      nn.embedding(10, 4, { key: k(9) }),
      nn.flatten(),
      nn.linear(12, 2, { key: k(10) }),
    );
    const ids = tensor(
      [
        [1, 2, 3],
        [9, 0, 4],
      ],
      undefined,
      { dtype: "int32" },
    );
    same(emb.predict(ids), (await load(await save(emb))).predict(ids));

    const poly = nn.sequential(nn.polynomialFeatures(3, { bias: false }), nn.linear(9, 1, { key: k(11) }));
    const p = random.normal(k(12), [5, 2]);
    same(poly.predict(p), (await load(await save(poly))).predict(p));
  });

  it("writes model.json with the architecture, grafo's version, the format version and the metadata", async () => {
    const model = nn.mlp([2, 3, 1], { key: k(1) });
    const dir = join(tempDir(), "m");
    const metadata = { labels: ["cat", "dog"], featureMean: [0.5, -1], nested: { ok: true } };
    await save(model, dir, { metadata });
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    expect(json).toMatchObject({
      format: "grafo-model",
      formatVersion: 1,
      grafoVersion: GRAFO_VERSION,
      metadata,
    });
    expect(json.architecture.children[0]).toEqual([
      "0",
      { class: "Linear", config: { inFeatures: 2, outFeatures: 3, bias: true } },
    ]);
    expect((await readModelInfo(dir)).metadata).toEqual(metadata);
    const { model: back, info } = await loadModel(dir);
    expect(info.metadata).toEqual(metadata);
    expect(info.formatVersion).toBe(MODEL_FORMAT_VERSION);
    expect(back.numParameters()).toBe(model.numParameters());
  });

  it("metadata that JSON cannot hold, or that load would refuse, is refused at save", async () => {
    const model = nn.mlp([2, 1]);
    await expect(save(model, undefined, { metadata: { n: 1n } as never })).rejects.toThrow(
      /metadata cannot be written as JSON/,
    );
    await expect(save(model, undefined, { metadata: JSON.parse('{"__proto__": {"x": 1}}') })).rejects.toThrow(
      /forbidden JSON key "__proto__"/,
    );
  });

  it("GRAFO_VERSION is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(GRAFO_VERSION).toBe(pkg.version);
  });

  it("stores weights in F16 when asked (within F16's rounding)", async () => {
    const model = nn.mlp([3, 4, 2], { key: k(2) });
    const bytes = await save(model, undefined, { floatDType: "F16" });
    const { dtypes } = readSafetensors(bytes);
    expect(Object.values(dtypes)).toEqual(["F16", "F16", "F16", "F16"]);
    const back = await load(bytes);
    const w = model.stateDict()["0.weight"]!.data();
    const wb = back.stateDict()["0.weight"]!.data();
    for (const [i, v] of w.entries())
      expect(Math.abs(wb[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
  });

  it("the single-buffer form is a safetensors file (PyTorch names) carrying model.json in __metadata__", async () => {
    const model = nn.sequential(
      nn.linear(3, 4, { key: k(3) }),
      nn.batchNorm(4),
      nn.linear(4, 2, { key: k(4) }),
    );
    const bytes = await save(model);
    const { tensors, metadata } = readSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "2.weight",
      "2.bias",
      "1.running_mean",
      "1.running_var",
    ]);
    expect(tensors["0.weight"]!.shape).toEqual([4, 3]); // [out, in], as PyTorch
    expect(JSON.parse(metadata["grafo:model.json"]!).format).toBe("grafo-model");
    // The same as a .safetensors path, and from an ArrayBuffer.
    const file = join(tempDir(), "m.safetensors");
    await save(model, file);
    expect(new Uint8Array(readFileSync(file))).toEqual(bytes);
    const x = random.normal(k(5), [2, 3]);
    model.eval();
    same(model.predict(x), (await load(file)).predict(x));
    same(model.predict(x), (await load(bytes.slice().buffer)).predict(x));
  });

  it("loads by fetch from a folder URL and a .safetensors URL", async () => {
    const model = nn.mlp([2, 5, 1], { key: k(6) });
    const dir = tempDir();
    await save(model, join(dir, "net"));
    await save(model, join(dir, "net.safetensors"));
    const server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(dir, decodeURIComponent(req.url ?? ""))));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const x = random.normal(k(7), [3, 2]);
      same(model.predict(x), (await load(`${base}/net`)).predict(x));
      same(model.predict(x), (await load(new URL(`${base}/net.safetensors`))).predict(x));
      await expect(load(`${base}/missing`)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });
});

// ---- custom layers: no global registry ----

class Scale extends nn.Module {
  constructor(readonly factor: number) {
    super();
    this.registerParameter("gain", tensor([1.5, -2]));
  }
  forward(params: nn.ParamTree, x: Tensor): Tensor {
    return x.mul(params.gain as Tensor).mul(this.factor);
  }
  config() {
    return { factor: this.factor };
  }
  static fromConfig(c: { factor?: unknown }) {
    return new Scale(c.factor as number);
  }
}

class Residual extends nn.Module {
  constructor(inner: nn.Module) {
    super();
    this.registerModule("inner", inner);
  }
  forward(params: nn.ParamTree, x: Tensor, ctx: nn.Context): Tensor {
    return x.add(ctx.run("inner", this.children()[0]![1], params, x));
  }
  config() {
    return {};
  }
  static fromConfig(_c: unknown, children: Readonly<Record<string, nn.Module>>) {
    return new Residual(children.inner!);
  }
}

describe("custom layers", () => {
  it("serialise without a registry: the classes are passed to load", async () => {
    const model = nn.sequential(
      new Residual(nn.sequential(nn.linear(2, 2, { key: k(1) }), new Scale(3))),
      nn.relu(),
    );
    const bytes = await save(model);
    const back = await load(bytes, { classes: [Scale, Residual] });
    const x = random.normal(k(2), [4, 2]);
    same(model.predict(x), back.predict(x));
    expect(back.toString()).toBe(model.toString());
  });

  it("a file naming a class load was not given is a clear error", async () => {
    const bytes = await save(nn.sequential(new Scale(2)));
    await expect(load(bytes)).rejects.toThrow(FileFormatError);
    await expect(load(bytes)).rejects.toThrow(
      /layer "0" is a Scale, which is neither built in nor among the classes passed to load/,
    );
  });

  it("a layer that cannot describe itself is refused at save, before anything is written", async () => {
    class Opaque extends nn.Module {
      forward(_p: nn.ParamTree, x: Tensor) {
        return x;
      }
    }
    const dir = join(tempDir(), "never");
    await expect(save(nn.sequential(nn.linear(2, 2), new Opaque()), dir)).rejects.toThrow(
      /layer "1" \(Opaque\) cannot be saved/,
    );
    await expect(save(nn.sequential(new nn.Activation("Mine", (x) => x.mul(2))))).rejects.toThrow(
      /wraps a function of its own/,
    );
    expect(() => readdirSync(dir)).toThrow();
  });
});

// ---- PyTorch ----

describe("PyTorch state dicts", () => {
  // What torch's safetensors.save_file(model.state_dict()) writes for
  // nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2), nn.ReLU(), nn.Linear(2, 1)), built byte by byte.
  const W0 = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]; // [out=2, in=3]
  const B0 = [0.05, -0.05];
  const G = [1.5, 0.5];
  const BETA = [0.1, -0.1];
  const MEAN = [0.2, -0.3];
  const VAR = [4, 0.25];
  const W3 = [0.7, -0.8];
  const B3 = [0.25];
  const header = {
    __metadata__: { format: "pt" },
    "0.weight": { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
    "0.bias": { dtype: "F32", shape: [2], data_offsets: [24, 32] },
    "1.weight": { dtype: "F32", shape: [2], data_offsets: [32, 40] },
    "1.bias": { dtype: "F32", shape: [2], data_offsets: [40, 48] },
    "1.running_mean": { dtype: "F32", shape: [2], data_offsets: [48, 56] },
    "1.running_var": { dtype: "F32", shape: [2], data_offsets: [56, 64] },
    "1.num_batches_tracked": { dtype: "I64", shape: [], data_offsets: [64, 72] },
    "3.weight": { dtype: "F32", shape: [1, 2], data_offsets: [72, 80] },
    "3.bias": { dtype: "F32", shape: [1], data_offsets: [80, 84] },
  };
  const file = specFile(
    header,
    cat(
      le("f32", W0),
      le("f32", B0),
      le("f32", G),
      le("f32", BETA),
      le("f32", MEAN),
      le("f32", VAR),
      le("i64", [12]),
      le("f32", W3),
      le("f32", B3),
    ),
  );
  const grafoNet = () =>
    nn
      .sequential(nn.linear(3, 2, { key: k(1) }), nn.batchNorm(2), nn.relu(), nn.linear(2, 1, { key: k(2) }))
      .eval();

  /** The same network by hand, in float64, as PyTorch computes it in eval mode. */
  function byHand(x: number[]): number {
    const f = (v: number) => Math.fround(v);
    const h = [0, 1].map((o) => {
      const z = W0.slice(3 * o, 3 * o + 3).reduce((s, w, i) => s + f(w) * x[i]!, f(B0[o]!));
      const n = ((z - f(MEAN[o]!)) / Math.sqrt(f(VAR[o]!) + 1e-5)) * f(G[o]!) + f(BETA[o]!);
      return Math.max(n, 0);
    });
    return f(W3[0]!) * h[0]! + f(W3[1]!) * h[1]! + f(B3[0]!);
  }

  it("a PyTorch state dict loads into the grafo model of the same architecture", async () => {
    const model = grafoNet();
    await loadWeights(model, file);
    const xs = [
      [1, 2, 3],
      [-1, 0.5, 2],
      [0.3, -0.7, 0.1],
    ];
    const out = model.predict(tensor(xs)).data();
    for (const [i, x] of xs.entries()) expect(out[i]).toBeCloseTo(byHand(x), 5);
  });

  it("and back: grafo's weights.safetensors holds PyTorch's names and layouts", async () => {
    const model = grafoNet();
    await loadWeights(model, file);
    const dir = join(tempDir(), "to-torch");
    await save(model, dir);
    const { tensors } = readSafetensors(readFileSync(join(dir, "weights.safetensors")));
    const torchKeys = Object.keys(header).filter(
      (k) => k !== "__metadata__" && !k.endsWith("num_batches_tracked"),
    );
    expect(Object.keys(tensors).sort()).toEqual(torchKeys.sort());
    expect(Array.from(tensors["0.weight"]!.data())).toEqual(W0.map(Math.fround));
    expect(tensors["0.weight"]!.shape).toEqual([2, 3]);
    expect(Array.from(tensors["1.running_var"]!.data())).toEqual(VAR);
  });

  it("a state dict of another architecture is refused, naming the weight", async () => {
    await expect(
      loadWeights(nn.sequential(nn.linear(3, 4), nn.batchNorm(4), nn.relu(), nn.linear(4, 1)), file),
    ).rejects.toThrow(/weight "0.weight" has shape \[2,3\], but the model's 0.weight is \[4,3\]/);
    await expect(
      loadWeights(nn.sequential(nn.linear(3, 2), nn.relu(), nn.linear(2, 1)), file),
    ).rejects.toThrow(/has weights the model does not: 1.weight/);
  });
});

// ---- bad input ----

describe("bad model folders, case by case", () => {
  async function saved(): Promise<string> {
    const dir = join(tempDir(), "good");
    await save(nn.mlp([3, 8, 2], { key: k(1) }), dir);
    return dir;
  }
  type ModelJson = {
    formatVersion: number;
    grafoVersion: string;
    architecture: { children: [string, { class: string; config: Record<string, unknown> }][] };
  };
  const editJson = (dir: string, edit: (j: ModelJson) => void) => {
    const j = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as ModelJson;
    edit(j);
    writeFileSync(join(dir, "model.json"), JSON.stringify(j));
  };
  const fails = async (
    source: string | Uint8Array,
    cls: abstract new (...args: never[]) => GrafoError,
    what: RegExp,
    name?: string,
  ) => {
    const e = await load(source).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(cls);
    expect((e as Error).message).toMatch(what);
    if (name) expect((e as Error).message).toContain(name);
  };

  it("a model.json written by a newer format version", async () => {
    const dir = await saved();
    editJson(dir, (j) => {
      j.formatVersion = 2;
      j.grafoVersion = "9.0.0";
    });
    await fails(
      dir,
      FileFormatError,
      /written by a newer grafo \(9\.0\.0, format version 2\).*upgrade grafo/,
      join(dir, "model.json"),
    );
  });

  it("a model.json that names a missing layer class", async () => {
    const dir = await saved();
    editJson(dir, (j) => {
      j.architecture.children[1]![1].class = "Swish";
    });
    await fails(dir, FileFormatError, /layer "1" is a Swish, which is neither built in/, "model.json");
  });

  it("a model.json whose architecture disagrees with the weights' shapes", async () => {
    const dir = await saved();
    editJson(dir, (j) => {
      j.architecture.children[0]![1].config.outFeatures = 9;
      j.architecture.children[2]![1].config.inFeatures = 9;
    });
    await fails(
      dir,
      FileFormatError,
      /weight "0.weight" has shape \[8,3\], but the model's 0.weight is \[9,3\]/,
      "weights.safetensors",
    );
  });

  it("a model.json whose layer config has the wrong types", async () => {
    const dir = await saved();
    editJson(dir, (j) => {
      j.architecture.children[0]![1].config.inFeatures = "three";
    });
    await fails(
      dir,
      FileFormatError,
      /layer "0" \(Linear\) cannot be rebuilt.*"inFeatures" must be a number/,
    );
  });

  it("a model.json with a __proto__ or constructor key", async () => {
    const dir = await saved();
    const text = readFileSync(join(dir, "model.json"), "utf8").replace(
      '"metadata": {}',
      '"metadata": {"__proto__": {"admin": true}}',
    );
    writeFileSync(join(dir, "model.json"), text);
    await fails(dir, FileFormatError, /forbidden JSON key "__proto__"/, "model.json");
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("a model.json that is not JSON, or not grafo's", async () => {
    const dir = await saved();
    writeFileSync(join(dir, "model.json"), "{ nope");
    await fails(dir, FileFormatError, /is not valid JSON/, "model.json");
    writeFileSync(join(dir, "model.json"), JSON.stringify({ format: "keras" }));
    await fails(dir, FileFormatError, /is not a grafo model\.json/);
  });

  it("a folder without weights, or no folder at all", async () => {
    const dir = await saved();
    rmSync(join(dir, "weights.safetensors"));
    await fails(dir, StorageError, /weights\.safetensors: does not exist/);
    await fails(join(dir, "nothing-here"), StorageError, /does not exist/);
  });

  it("wrong file types: a picture, a JSON file, a plain safetensors file without model.json", async () => {
    const dir = tempDir();
    const png = join(dir, "photo.png");
    writeFileSync(
      png,
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82),
    );
    await fails(png, FileFormatError, /header length \d+ runs past the end/, png);
    const json = join(dir, "model.json");
    writeFileSync(json, JSON.stringify({ format: "grafo-model" }));
    await fails(json, FileFormatError, /runs past the end|not a safetensors/, json);
    const plain = specFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, le("f32", [1]));
    await fails(plain, FileFormatError, /without grafo's model\.json.*loadWeights/);
  });

  it("a failed load changes no file", async () => {
    const dir = await saved();
    editJson(dir, (j) => {
      j.formatVersion = 5;
    });
    const before = [readFileSync(join(dir, "model.json")), readFileSync(join(dir, "weights.safetensors"))];
    await expect(load(dir)).rejects.toThrow(FileFormatError);
    expect(readFileSync(join(dir, "model.json"))).toEqual(before[0]);
    expect(readFileSync(join(dir, "weights.safetensors"))).toEqual(before[1]);
  });
});

describe("atomic writes", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Makes the n-th read of tensor data from now on fail, as a full disk or a crash would, part way through a write. */
  function failAtDataRead(n: number) {
    const real = Tensor.prototype.data;
    let calls = 0;
    vi.spyOn(Tensor.prototype, "data").mockImplementation(function (this: Tensor) {
      if (++calls === n) throw new Error("simulated failure part way through the write");
      return real.call(this);
    });
  }

  it("a save that fails part way leaves the good model that was there, and no temp file", async () => {
    const dir = join(tempDir(), "model");
    const good = nn.mlp([3, 16, 2], { key: k(1) });
    await save(good, dir, { metadata: { version: "good" } });
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));

    const other = nn.mlp([3, 16, 2], { key: k(2) });
    failAtDataRead(3); // the header and the first two tensors are already in the temp file
    await expect(save(other, dir, { metadata: { version: "bad" } })).rejects.toThrow(
      /weights\.safetensors: cannot be written \(simulated failure part way through the write\); nothing was changed/,
    );
    vi.restoreAllMocks();

    expect(readdirSync(dir).sort()).toEqual(["model.json", "weights.safetensors"]);
    for (const [f, bytes] of Object.entries(before)) expect(readFileSync(join(dir, f))).toEqual(bytes);
    const back = await loadModel(dir);
    expect(back.info.metadata).toEqual({ version: "good" });
    const x = random.normal(k(3), [2, 3]);
    same(good.predict(x), back.model.predict(x));
  });

  it("the same for a single .safetensors file", async () => {
    const file = join(tempDir(), "m.safetensors");
    await save(nn.mlp([2, 4, 1], { key: k(4) }), file);
    const before = readFileSync(file);
    failAtDataRead(2);
    await expect(save(nn.mlp([2, 4, 1], { key: k(5) }), file)).rejects.toThrow(StorageError);
    vi.restoreAllMocks();
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(join(file, ".."))).toEqual(["m.safetensors"]);
  });
});

describe("where models go", () => {
  it("a plain save over a checkpoint folder leaves no stale checkpoint files", async () => {
    const dir = join(tempDir(), "run");
    const model = nn.mlp([2, 3, 1], { key: k(1) });
    await model.fit(random.normal(k(2), [8, 2]), random.normal(k(3), [8, 1]), {
      loss: "mse",
      verbose: 0,
      callbacks: [modelCheckpoint({ path: dir })],
    });
    expect(readdirSync(dir)).toHaveLength(4);
    await save(model, dir);
    expect(readdirSync(dir).sort()).toEqual(["model.json", "weights.safetensors"]);
  });

  it("loadWeights reads a grafo folder's weights into a model built in code", async () => {
    const dir = join(tempDir(), "w");
    const trained = nn.mlp([3, 4, 2], { key: k(4) });
    await save(trained, dir);
    const fresh = nn.mlp([3, 4, 2], { key: k(5) });
    await loadWeights(fresh, dir);
    const x = random.normal(k(6), [2, 3]);
    same(trained.predict(x), fresh.predict(x));
  });

  it("IndexedDB outside a browser, and URLs as destinations, are clear errors", async () => {
    const model = nn.mlp([2, 1]);
    await expect(save(model, "indexeddb://m")).rejects.toThrow(
      /indexeddb:\/\/m: IndexedDB is not available here/,
    );
    await expect(save(model, "https://example.com/m")).rejects.toThrow(/cannot write to a URL/);
    await expect(load("indexeddb://")).rejects.toThrow(/names no IndexedDB entry/);
  });
});
