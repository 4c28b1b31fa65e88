import { describe, expect, it } from "vitest";
import {
  backends,
  exp,
  grad,
  log,
  matmul,
  maximum,
  minimum,
  random,
  sigmoid,
  sqrt,
  type Tensor,
  tanh,
  withBackend,
} from "../../src/index.js";

const available = backends()
  .filter((b) => b.available && b.name !== "js")
  .map((b) => b.name);

function maxRelDiff(a: Tensor, b: Tensor): number {
  const x = a.data();
  const y = b.data();
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!));
    worst = Math.max(
      worst,
      Number.isNaN(d) ? (Number.isNaN(x[i]!) && Number.isNaN(y[i]!) ? 0 : Infinity) : d,
    );
  }
  return worst;
}

const [k1, k2, k3] = random.split(random.key(42), 3);
const A = random.normal(k1!, [3, 96, 80]);
const B = random.normal(k2!, [80, 64]);
const big = random.uniform(k3!, [128, 64], { minval: 0.1, maxval: 4 });

/** Each case runs on the js reference and on the backend under test; results must agree to float32 accuracy. */
const cases: Record<string, () => Tensor> = {
  "matmul batched, broadcast weight": () => matmul(A, B),
  "matmul with transposed operands (views, no copy)": () =>
    matmul(B.T, A.transpose([0, 2, 1]).reshape([3 * 96, 80]).T),
  "matmul float64": () => matmul(A.cast("float64"), B.cast("float64")),
  exp: () => exp(big.neg()),
  log: () => log(big),
  tanh: () => tanh(big.sub(2)),
  sigmoid: () => sigmoid(big.sub(2)),
  sqrt: () => sqrt(big),
  "neg, abs": () => big.sub(2).neg().abs(),
  "add with broadcast row": () => big.add(big.index(0)),
  "sub scalar": () => big.sub(1.5),
  "mul, div": () => big.mul(big).div(big.add(1)),
  "maximum, minimum": () => maximum(big, 2).add(minimum(big, 1)),
  "sum over last axis": () => big.sum(-1),
  "max over last axis": () => big.max(-1, true),
  "softmax (composite)": () => big.softmax(),
  "gradient of a small MLP": () =>
    grad((w: Tensor) => tanh(matmul(big, w)).square().mean())(random.normal(k1!, [64, 96])),
};

describe.skipIf(available.length === 0)("backends agree with the js reference", () => {
  for (const name of available) {
    describe(name, () => {
      for (const [label, f] of Object.entries(cases)) {
        it(label, () => {
          const ref = withBackend("js", f);
          const got = withBackend(name, f);
          const tol = got.dtype === "float64" ? 1e-12 : 2e-5;
          expect(maxRelDiff(got, ref)).toBeLessThan(tol);
        });
      }
    });
  }
});
