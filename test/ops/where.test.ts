/** where(c, a, b) picks elements exactly (bits, -0 and NaN included) with any operand a broadcast scalar. */
import { describe, expect, it } from "vitest";
import { backends, type DType, greater, tensor, where, withBackend } from "../../src/index.js";

const available = backends()
  .filter((b) => b.available)
  .map((b) => b.name);

describe.each(available)("where on the %s backend", (backend) => {
  const n = 1000;
  const values = (seed: number) =>
    Array.from({ length: n }, (_, i) => {
      const k = (i * 7919 + seed * 104729) % 97;
      return k === 0 ? -0 : k === 1 ? Number.NaN : k - 48.5;
    });
  const xs = values(1);
  const ys = values(2);
  for (const dtype of ["float32", "int32", "float64"] as const satisfies readonly DType[])
    it(`${dtype}: full/full, full/scalar, scalar/full and scalar/scalar operands`, () => {
      withBackend(backend, () => {
        const cast = (v: number) => (dtype === "int32" ? (Number.isNaN(v) ? 7 : Math.trunc(v) + 0) : v);
        const x = tensor(xs.map(cast), [n], { dtype });
        const y = tensor(ys.map(cast), [n], { dtype });
        const c = greater(tensor(values(3).map(cast), [n], { dtype }), 0);
        const cond = c.toArray() as boolean[];
        const round = (v: number) => (dtype === "float32" ? Math.fround(v) : v);
        const cases: [string, ReturnType<typeof where>, (i: number) => number][] = [
          ["x, y", where(c, x, y), (i) => cast(xs[i]!)],
          ["x, 0", where(c, x, 0), (i) => cast(xs[i]!)],
          ["0, y", where(c, 0, y), () => 0],
          ["2, -3", where(c, 2, -3), () => 2],
        ];
        const otherwise: Record<string, (i: number) => number> = {
          "x, y": (i) => cast(ys[i]!),
          "x, 0": () => 0,
          "0, y": (i) => cast(ys[i]!),
          "2, -3": () => -3,
        };
        for (const [name, got, then] of cases) {
          const d = got.data();
          for (let i = 0; i < n; i++) {
            const want = round(cond[i] ? then(i) : otherwise[name]!(i));
            // Object.is tells -0 from 0 and matches NaN with NaN.
            expect(Object.is(d[i], want), `${name} at ${i}: ${d[i]} vs ${want}`).toBe(true);
          }
        }
      });
    });
});
