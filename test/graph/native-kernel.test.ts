import { describe, expect, it } from "vitest";
import {
  backends,
  compile,
  exp,
  log,
  maximum,
  random,
  relu,
  sigmoid,
  sub,
  type Tensor,
  tanh,
  withBackend,
} from "../../src/index.js";

const hasNative = backends().some((b) => b.name === "native" && b.available);

/** Fused α·f(x)+β on the native addon agrees with eager evaluation, whatever the arrangement of α and β. */
describe.skipIf(!hasNative)("native fused kernels in compiled plans", () => {
  const x = random.uniform(random.key(3), [64, 100], { minval: 0.2, maxval: 3 });
  const bias = random.normal(random.key(5), [100]);
  const cases: Record<string, (x: Tensor, s: Tensor) => Tensor> = {
    "exp(x)·2 + 1": (x) => exp(x).mul(2).add(1),
    "1 − tanh(x)/4": (x) => tanh(x).div(4).neg().add(1),
    "0.5 − sigmoid(x)": (x) => sigmoid(x).neg().add(0.5),
    "log(x)·s + s (run-time scalar)": (x, s) => log(x).mul(s).add(s),
    "relu(x + bias) (a chain: row broadcast, then relu)": (x) => relu(x.sub(1).add(bias)),
    "2 − tanh(x·s)/3 (a chain with the chain on the right)": (x, s) => sub(2, tanh(x.mul(s)).div(3)),
    "maximum(x, bias) · 0.5": (x) => maximum(x, bias).mul(0.5),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      withBackend("native", () => {
        const s = random.uniform(random.key(4), [], { minval: 1, maxval: 2 });
        const logged: string[] = [];
        const compiled = compile(f, { debug: true, log: (t) => logged.push(t) });
        const got = compiled(x, s).data();
        const want = f(x, s).data();
        expect(got.length).toBe(want.length);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
        // The fused loop really ran on the addon, not on the js or wasm generator.
        expect(logged.join("\n")).toMatch(
          /native: (out = α·(exp|tanh|sigmoid|log)\(x\d\) \+ β|a chain of \d+ in-place calls)/,
        );
      });
    });
  }
});
