/**
 * The loaders against mutated valid files: flipped bytes, truncations,
 * inserted bytes, and header fields replaced with hostile values. Every
 * outcome must be a loaded result or a GrafoError naming the input, never
 * another exception, a hang, or an allocation larger than the input warrants.
 * Fixed seed in CI; `GRAFO_FUZZ_RUNS=20` runs twenty times as many cases.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  GrafoError,
  load,
  loadCheckpoint,
  nn,
  random,
  readSafetensors,
  save,
  tensor,
  writeSafetensors,
} from "../../src/index.js";
import { saveCheckpoint } from "../../src/io/index.js";
import { History } from "../../src/train/history.js";
import { FUZZ_TIMEOUT, fuzzParams } from "../fuzz/support.js";

const LABEL = "fuzzed.safetensors";

const validTensors = writeSafetensors(
  {
    w: tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    d: tensor([0.5, -1], undefined, { dtype: "float64" }),
    i: tensor([7, -8, 9], undefined, { dtype: "int32" }),
    m: tensor([1, 0], undefined, { dtype: "bool" }),
    h: tensor([1.5, -2]),
  },
  { metadata: { format: "pt" }, dtypes: { h: "F16", i: "I64" } },
);

const headerOf = (bytes: Uint8Array) => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return {
    n,
    json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>,
  };
};

/** The same data with a new header. */
function withHeader(bytes: Uint8Array, header: unknown): Uint8Array {
  const { n } = headerOf(bytes);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + n), 8 + text.length);
  return out;
}

const hostile = fc.oneof(
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(2 ** 31, 2 ** 32 + 4, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5, -0),
  fc.constantFrom("F32", "F64", "I32", "I64", "BOOL", "F16", "BF16", "U8", "F8_E5M2", "", "__proto__"),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constantFrom(2 ** 40, 2 ** 53, 0.5)), {
    maxLength: 4,
  }),
  fc.constantFrom(null, true, {}, [], "x", { a: 1 }),
);

/** A mutated copy of `valid`: bytes flipped, cut, inserted, or a header field replaced. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flips = fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
    .map((fs) => {
      const b = valid.slice();
      for (const [at, v] of fs) b[at % b.length] = v;
      return b;
    });
  const cut = fc.nat().map((n) => valid.slice(0, n % valid.length));
  const insert = fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 9 })).map(([at, extra]) => {
    const i = at % valid.length;
    const b = new Uint8Array(valid.length + extra.length);
    b.set(valid.subarray(0, i));
    b.set(extra, i);
    b.set(valid.subarray(i), i + extra.length);
    return b;
  });
  const { json } = headerOf(valid);
  const names = Object.keys(json);
  const field = fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom("dtype", "shape", "data_offsets", "extra", "whole"),
      hostile,
    )
    .map(([name, f, v]) => {
      const h = structuredClone(json) as Record<string, Record<string, unknown>>;
      if (f === "whole") h[name] = v as Record<string, unknown>;
      else if (typeof h[name] === "object" && h[name] !== null) h[name]![f] = v;
      return withHeader(valid, h);
    });
  const length = fc
    .oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 400n }))
    .map((n) => {
      const b = valid.slice();
      new DataView(b.buffer).setBigUint64(0, n, true);
      return b;
    });
  return fc.oneof(flips, cut, insert, field, field, length);
}

/** The elements a read may have produced: bounded by the input's size (F16 → F32 is the largest growth, 2×). */
function checkResult(bytes: Uint8Array, tensors: Record<string, { size: number }>) {
  const elements = Object.values(tensors).reduce((n, t) => n + t.size, 0);
  expect(elements).toBeLessThanOrEqual(bytes.length);
}

function expectGrafoError(e: unknown, label: string) {
  if (!(e instanceof GrafoError)) throw e; // anything else is a bug: fast-check reports the input
  expect(e.message).toContain(label);
}

describe("fuzzing the loaders with mutated valid files", () => {
  it(
    "readSafetensors: a result within the input's size, or a GrafoError naming the file",
    () => {
      const seen = { read: 0, refused: 0 };
      fc.assert(
        fc.property(mutated(validTensors), (bytes) => {
          try {
            checkResult(bytes, readSafetensors(bytes, LABEL).tensors);
            seen.read++;
          } catch (e) {
            expectGrafoError(e, LABEL);
            seen.refused++;
          }
        }),
        fuzzParams(300),
      );
      // Both outcomes happen: the mutations reach past the first check, and some are harmless.
      expect(seen.read).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    "load and loadCheckpoint on single-buffer files: a model, or a GrafoError naming the input",
    async () => {
      const model = nn.sequential(
        nn.linear(3, 4, { key: random.key(1) }),
        nn.batchNorm(4),
        nn.relu(),
        nn.linear(4, 2),
      );
      const modelBytes = await save(model, undefined, { metadata: { labels: ["a", "b"] } });
      const opt = {
        step: tensor(3),
        lrScale: tensor(1),
        slots: { velocity: model.namedParameters().map(([, p]) => p) },
      };
      const state = {
        epoch: 3,
        optimizer: "sgd",
        optState: opt,
        dataKey: random.key(2),
        dropoutKey: random.key(3),
        history: new History(),
      };
      const checkpointBytes = await saveCheckpoint(model, state);
      const x = random.normal(random.key(4), [2, 3]);
      const cases = fc.oneof(
        mutated(modelBytes).map((bytes) => ({ bytes, checkpoint: false })),
        mutated(checkpointBytes).map((bytes) => ({ bytes, checkpoint: true })),
      );
      const seen = { loaded: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(cases, async ({ bytes, checkpoint }) => {
          let loaded: nn.Module;
          try {
            loaded = checkpoint ? (await loadCheckpoint(bytes)).model : await load(bytes);
            seen.loaded++;
          } catch (e) {
            expectGrafoError(e, checkpoint ? "loadCheckpoint: buffer" : "load: buffer");
            seen.refused++;
            return;
          }
          // A mutation may make another valid model (say, other widths); it runs, or says why not.
          try {
            loaded.predict(x);
          } catch (e) {
            if (!(e instanceof GrafoError)) throw e;
          }
        }),
        fuzzParams(150),
      );
      expect(seen.loaded).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );
});
