/**
 * The generic op suite (DESIGN principle 2): every entry of the OpInfo table
 * in test/support/opinfo.ts gets the checks its kind calls for. Adding an op
 * to the table adds its tests; the coverage tests below fail when a public op
 * or a primitive has no entry.
 */
import { describe, expect, it } from "vitest";
import * as ops from "../../src/ops/index.js";
import { primitiveTable } from "../../src/ops/table.js";
import { availableBackends, primitivesUsed } from "../support/backends.js";
import {
  checkBackendAgreement,
  checkDotProduct,
  checkFirstOrder,
  checkForward,
  checkSecondOrder,
  checkZeroGradient,
  sampleArgs,
} from "../support/checks.js";
import { isDifferentiable, NOT_OPS, OPS } from "../support/opinfo.js";
import { checkVmap } from "../support/vmap-check.js";

/** Every backend that loads runs the whole suite; those other than js are also compared with js. */
const SUITE_BACKENDS = availableBackends();

describe("the op table", () => {
  it("has unique entry names", () => {
    const names = OPS.map((o) => o.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("covers every public op in src/ops", () => {
    const covered = new Set(OPS.map((o) => o.op));
    const publicOps = Object.entries(ops)
      .filter(([name, v]) => typeof v === "function" && !NOT_OPS.includes(name))
      .map(([name]) => name);
    expect(publicOps.filter((name) => !covered.has(name))).toEqual([]);
  });

  it("covers every primitive in primitiveTable(): adding a primitive without an entry fails here", () => {
    const used = new Set<string>();
    for (const info of OPS) {
      info.samples.forEach((_, i) => {
        const args = sampleArgs(info, i, (info.dtypes ?? ["float64"])[0]!);
        for (const p of primitivesUsed(info.fn, args)) used.add(p);
      });
    }
    const missing = Object.keys(primitiveTable()).filter((p) => !used.has(p));
    expect(missing).toEqual([]);
  });

  it("checks second derivatives of the ops that famously get them wrong", () => {
    // exp's second derivative was a famous TF.js failure; these must stay smooth entries
    for (const op of ["tanh", "sigmoid", "exp", "log", "softplus", "gelu", "softmax", "logSumExp"]) {
      const entries = OPS.filter((o) => o.op === op);
      expect(entries.length, op).toBeGreaterThan(0);
      expect(
        entries.some((o) => o.kind === "smooth" && o.samples.some((s) => !s.forwardOnly)),
        op,
      ).toBe(true);
    }
  });
});

for (const backend of SUITE_BACKENDS) {
  describe(`ops on the ${backend} backend`, () => {
    for (const info of OPS) {
      describe(info.name, () => {
        it("forward values match the float64 reference", () => checkForward(info, backend));
        if (isDifferentiable(info)) {
          it("vjp, grad and jvp match finite differences", () => checkFirstOrder(info, backend));
          it("jvp and vjp pass the dot-product test", () => checkDotProduct(info, backend));
          it("second derivatives match differences of the gradient", () => checkSecondOrder(info, backend));
        }
        if (info.kind === "constant" || info.kind === "integer") {
          it("has zero gradient", () => checkZeroGradient(info, backend));
        }
        it("vmap equals a loop over the batch (inAxes 0, -1 and null)", () => checkVmap(info, backend));
        if (backend !== "js") it("agrees with the js backend", () => checkBackendAgreement(info, backend));
      });
    }
  });
}
