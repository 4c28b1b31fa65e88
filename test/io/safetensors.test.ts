import { describe, expect, it } from "vitest";
import { FileFormatError, readSafetensors, tensor, writeSafetensors } from "../../src/index.js";
import { fromBF16Bits, fromF16Bits, toBF16Bits, toF16Bits } from "../../src/io/float16.js";
import { readSafetensorsHeader } from "../../src/io/safetensors.js";
import { cat, le, specFile } from "./spec.js";

const FILE = "bad.safetensors";

/** The error reading `bytes` gives: a FileFormatError naming the file and `what`. */
function rejects(bytes: Uint8Array, what: RegExp): void {
  let error: unknown;
  try {
    readSafetensors(bytes, FILE);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FileFormatError);
  expect((error as FileFormatError).file).toBe(FILE);
  expect((error as Error).message).toContain(FILE);
  expect((error as Error).message).toMatch(what);
}

describe("safetensors: reading a file built from the specification", () => {
  // Listed out of data order on purpose: the reader must go by data_offsets.
  const header = {
    __metadata__: { format: "pt", note: "built by hand" },
    bias: { dtype: "F64", shape: [2], data_offsets: [24, 40] },
    weight: { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
    ids: { dtype: "I64", shape: [3], data_offsets: [40, 64] },
    mask: { dtype: "BOOL", shape: [4], data_offsets: [64, 68] },
    half: { dtype: "F16", shape: [3], data_offsets: [68, 74] },
    brain: { dtype: "BF16", shape: [2], data_offsets: [74, 78] },
    count: { dtype: "I32", shape: [], data_offsets: [78, 82] },
    empty: { dtype: "F32", shape: [0, 5], data_offsets: [82, 82] },
  };
  const data = cat(
    le("f32", [1, 2, 3, 4, 5, 6]),
    le("f64", [0.1, -2.5]),
    le("i64", [-1, 0, 2147483647]),
    le("u8", [1, 0, 1, 1]),
    le("u16", [0x3c00, 0xc000, 0x3555]),
    le("u16", [0x3f80, 0x4049]),
    le("i32", [7]),
  );
  const file = specFile(header, data);

  it("reads every dtype with the values the bytes hold", () => {
    const { tensors, metadata, dtypes } = readSafetensors(file, "hand.safetensors");
    expect(metadata).toEqual({ format: "pt", note: "built by hand" });
    expect(Object.keys(tensors)).toEqual([
      "weight",
      "bias",
      "ids",
      "mask",
      "half",
      "brain",
      "count",
      "empty",
    ]);
    expect(tensors.weight!.shape).toEqual([2, 3]);
    expect(tensors.weight!.dtype).toBe("float32");
    expect(Array.from(tensors.weight!.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensors.bias!.dtype).toBe("float64");
    expect(Array.from(tensors.bias!.data())).toEqual([0.1, -2.5]);
    expect(tensors.ids!.dtype).toBe("int32");
    expect(Array.from(tensors.ids!.data())).toEqual([-1, 0, 2147483647]);
    expect(tensors.mask!.dtype).toBe("bool");
    expect(Array.from(tensors.mask!.data())).toEqual([1, 0, 1, 1]);
    expect(Array.from(tensors.half!.data())).toEqual([1, -2, 0.333251953125]);
    expect(Array.from(tensors.brain!.data())).toEqual([1, 3.140625]);
    expect(tensors.count!.shape).toEqual([]);
    expect(tensors.count!.item()).toBe(7);
    expect(tensors.empty!.shape).toEqual([0, 5]);
    expect(dtypes).toMatchObject({ ids: "I64", half: "F16", brain: "BF16", mask: "BOOL" });
  });

  it("reads the header alone without decoding tensors", () => {
    const h = readSafetensorsHeader(file);
    expect(h.tensors.map((t) => [t.name, t.dtype, t.shape])).toContainEqual(["half", "F16", [3]]);
    expect(h.metadata.format).toBe("pt");
  });

  it("accepts a header padded with trailing spaces", () => {
    const text = `${JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } })}    `;
    const t = readSafetensors(specFile(null, le("f32", [2.5]), text)).tensors.a!;
    expect(t.item()).toBe(2.5);
  });
});

describe("safetensors: writing follows the specification", () => {
  it("writes the length, a header with dtype/shape/data_offsets, and the data in order, 8-byte aligned", () => {
    const bytes = writeSafetensors(
      {
        w: tensor([
          [1, 2],
          [3, 4],
        ]),
        b: tensor([0.5], undefined, { dtype: "float64" }),
        k: tensor([3, -4], undefined, { dtype: "int32" }),
      },
      { metadata: { who: "grafo" } },
    );
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { who: "grafo" },
      w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: "F64", shape: [1], data_offsets: [16, 24] },
      k: { dtype: "I32", shape: [2], data_offsets: [24, 32] },
    });
    expect(bytes.length).toBe(8 + n + 32);
    const body = new DataView(bytes.buffer, bytes.byteOffset + 8 + n);
    expect([0, 1, 2, 3].map((i) => body.getFloat32(4 * i, true))).toEqual([1, 2, 3, 4]);
    expect(body.getFloat64(16, true)).toBe(0.5);
    expect([body.getInt32(24, true), body.getInt32(28, true)]).toEqual([3, -4]);
  });

  it("writes F16, BF16 and I64 when asked, and reads them back converted", () => {
    const x = tensor([1 / 3, -2, 65504, 1e-8]);
    const bytes = writeSafetensors(
      { x, y: x, i: tensor([-5, 2147483647], undefined, { dtype: "int32" }) },
      { dtypes: { y: "BF16", i: "I64" }, floatDType: "F16" },
    );
    const { tensors, dtypes } = readSafetensors(bytes);
    expect(dtypes).toEqual({ x: "F16", y: "BF16", i: "I64" });
    // 1/3 in F16 is 0x3555 = 0.333251953125; 1e-8 is below half the smallest subnormal (2^-25): 0.
    expect(Array.from(tensors.x!.data())).toEqual([0.333251953125, -2, 65504, 0]);
    // BF16 keeps float32's exponent and 8 bits of significand: 1/3 → 0x3eab.
    expect(Array.from(tensors.y!.data())).toEqual([
      fromBF16Bits(0x3eab),
      -2,
      65536,
      fromBF16Bits(toBF16Bits(1e-8)),
    ]);
    expect(Array.from(tensors.i!.data())).toEqual([-5, 2147483647]);
  });

  it("refuses a conversion that would lose the kind of value (float to int, int to bool)", () => {
    expect(() => writeSafetensors({ x: tensor([1.5]) }, { dtypes: { x: "I32" } })).toThrow(
      /cannot be stored as I32/,
    );
    expect(() => writeSafetensors({ constructor: tensor([1]) })).toThrow(FileFormatError);
  });
});

describe("F16 and BF16 rounding (round to nearest, ties to even)", () => {
  it("rounds as IEEE 754 says at the edges", () => {
    expect(toF16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toF16Bits(65520)).toBe(0x7c00); // halfway to the next: rounds to even, which is Inf
    expect(toF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24: to even (0)
    expect(toF16Bits(3 * 2 ** -26)).toBe(0x0001);
    expect(toF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie: to even (1)
    expect(toF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: to even (1 + 2^-9)
    expect(toF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(fromF16Bits(toF16Bits(Number.NaN)))).toBe(true);
    expect(fromF16Bits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(fromF16Bits(0x0001)).toBe(2 ** -24);
    for (const h of [0x0001, 0x03ff, 0x0400, 0x3c00, 0x3555, 0x7bff, 0xc000])
      expect(toF16Bits(fromF16Bits(h))).toBe(h);
  });

  it("BF16 is float32's top half, rounded", () => {
    expect(toBF16Bits(1)).toBe(0x3f80);
    expect(toBF16Bits(Math.PI)).toBe(0x4049);
    expect(toBF16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie: to even
    expect(toBF16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(fromBF16Bits(0x4049)).toBe(3.140625);
    expect(Number.isNaN(fromBF16Bits(toBF16Bits(Number.NaN)))).toBe(true);
  });
});

describe("safetensors: bad input, case by case", () => {
  const one = (over: object = {}) => ({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8], ...over } });
  const eight = new Uint8Array(8);

  it("truncated file (shorter than the 8-byte length)", () => rejects(new Uint8Array(5), /truncated/));
  it("truncated data (the file ends inside a tensor)", () =>
    rejects(specFile(one(), new Uint8Array(5)), /past the end of the data/));
  it("header length past the end of the file", () => {
    const f = specFile(one(), eight);
    new DataView(f.buffer).setBigUint64(0, BigInt(f.length), true);
    rejects(f, /header length \d+ runs past the end/);
  });
  it("absurd declared header length (2^60), refused before reading", () => {
    const f = specFile(one(), eight);
    new DataView(f.buffer).setBigUint64(0, 2n ** 60n, true);
    rejects(f, /runs past the end/);
  });
  it("absurd declared shape (2^40 × 2^40 floats), refused before allocating", () =>
    rejects(
      specFile({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, eight),
      /needs 4835703278458516698824704 bytes, but data_offsets \[0, 8\] hold 8/,
    ));
  it("offsets that overlap", () =>
    rejects(
      specFile(
        {
          a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
        },
        new Uint8Array(12),
      ),
      /"b" overlaps tensor "a"/,
    ));
  it("offsets that leave a gap", () =>
    rejects(
      specFile(
        {
          a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
          b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
        },
        new Uint8Array(12),
      ),
      /bytes 4\.\.8 before tensor "b" belong to no tensor/,
    ));
  it("offsets that exceed the buffer", () =>
    rejects(specFile(one({ data_offsets: [0, 16] }), eight), /past the end of the data/));
  it("bytes left over after the last tensor", () =>
    rejects(specFile(one(), new Uint8Array(12)), /after the last tensor/));
  it("offsets that end before they begin", () =>
    rejects(specFile(one({ data_offsets: [8, 0] }), eight), /end before they begin/));
  it("shape that disagrees with the byte count", () =>
    rejects(specFile(one({ shape: [3] }), eight), /shape \[3\] of F32 needs 12 bytes/));
  it("unknown dtype", () => rejects(specFile(one({ dtype: "F8_E4M3" }), eight), /unknown dtype "F8_E4M3"/));
  it("JSON with a __proto__ key", () =>
    rejects(
      specFile(
        null,
        eight,
        `{"__proto__":{"polluted":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
      ),
      /forbidden JSON key "__proto__"/,
    ));
  it("JSON with a constructor key", () =>
    rejects(
      specFile(null, eight, `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"constructor":{}}}`),
      /forbidden JSON key "constructor"/,
    ));
  it("header that is not JSON", () => rejects(specFile(null, eight, "{not json"), /not valid JSON/));
  it("header that is not an object, or not a safetensors file at all", () => {
    rejects(specFile(null, eight, "[1, 2]"), /does not start with '\{'/);
    rejects(
      new TextEncoder().encode("%PDF-1.7 this is a document, not tensors"),
      /runs past the end|not a safetensors/,
    );
  });
  it("header that is not UTF-8", () => rejects(specFile(null, eight, "{}").fill(0xff, 8, 10), /UTF-8/));
  it("negative or fractional dimensions", () => {
    rejects(specFile(one({ shape: [-2] }), eight), /non-negative integers/);
    rejects(specFile(one({ shape: [1.5] }), eight), /non-negative integers/);
  });
  it("metadata that is not strings", () =>
    rejects(
      specFile({ __metadata__: { n: 1 }, ...one() }, eight),
      /__metadata__ must map strings to strings/,
    ));
  it("unknown fields in a tensor entry", () =>
    rejects(specFile(one({ extra: 1 }), eight), /unknown fields: extra/));
  it("I64 values outside int32", () =>
    rejects(
      specFile({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, le("i64", [2 ** 40])),
      /outside grafo's int32 range/,
    ));
  it("BOOL bytes other than 0 and 1", () =>
    rejects(
      specFile({ a: { dtype: "BOOL", shape: [2], data_offsets: [0, 2] } }, le("u8", [1, 7])),
      /holds byte 7/,
    ));
});
