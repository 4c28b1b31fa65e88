import { describe, expect, it } from "vitest";
import { grad, nn, optim, scalar, type Tensor, tensor } from "../../src/index.js";
import { expectClose } from "../nn/close.js";

const p0 = { w: tensor([1, 2]) };
const g0 = { w: tensor([0.5, -1]) };

/** Runs `steps` updates with a fixed gradient tree and returns the last params. */
function run(opt: optim.Optimizer, steps: number, g = g0) {
  let params = p0;
  let state = opt.init(params);
  for (let i = 0; i < steps; i++) ({ params, state } = opt.update(g, state, params));
  return { params, state };
}

describe("optimizers: one step by hand", () => {
  it("sgd: plain, momentum, nesterov, weight decay", () => {
    expectClose(run(optim.sgd({ lr: 0.1 }), 1).params.w, [0.95, 2.1]);
    // v₁ = g, v₂ = 0.9g + g: p₂ = p − 0.1·(g + 1.9g)
    expectClose(run(optim.sgd({ lr: 0.1, momentum: 0.9 }), 2).params.w, [1 - 0.1 * 2.9 * 0.5, 2 + 0.1 * 2.9]);
    // Nesterov's first step goes along g + 0.9·g.
    expectClose(run(optim.sgd({ lr: 0.1, momentum: 0.9, nesterov: true }), 1).params.w, [
      1 - 0.1 * 1.9 * 0.5,
      2 + 0.1 * 1.9,
    ]);
    // L2: g + 0.1·p = [0.6, −0.8]
    expectClose(run(optim.sgd({ lr: 0.1, weightDecay: 0.1 }), 1).params.w, [0.94, 2.08]);
  });

  it("adam's first step is lr·sign(g); adamw also decays p by lr·λ·p", () => {
    expectClose(run(optim.adam({ lr: 0.01 }), 1).params.w, [0.99, 2.01], { rtol: 1e-6 });
    expectClose(run(optim.adamw({ lr: 0.01, weightDecay: 0.1 }), 1).params.w, [0.99 - 0.001, 2.01 - 0.002], {
      rtol: 1e-6,
    });
  });

  it("adam over three steps matches a plain JS implementation", () => {
    const gs = [0.5, -0.2, 0.3];
    let p = 1;
    let m = 0;
    let v = 0;
    gs.forEach((g, i) => {
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      p -= (0.05 * (m / (1 - 0.9 ** (i + 1)))) / (Math.sqrt(v / (1 - 0.999 ** (i + 1))) + 1e-8);
    });
    const opt = optim.adam({ lr: 0.05 });
    let params = { w: tensor([1]) };
    let state = opt.init(params);
    for (const g of gs) ({ params, state } = opt.update({ w: tensor([g]) }, state, params));
    expectClose(params.w, [p], { rtol: 1e-6 });
    expect(state.step.item()).toBe(3);
  });

  it("rmsprop and adagrad", () => {
    const ms = [0.1 * 0.25, 0.1 * 1];
    expectClose(
      run(optim.rmsprop({ lr: 0.01 }), 1).params.w,
      [1 - (0.01 * 0.5) / (Math.sqrt(ms[0]!) + 1e-7), 2 + 0.01 / (Math.sqrt(ms[1]!) + 1e-7)],
      { rtol: 1e-6 },
    );
    expectClose(run(optim.adagrad({ lr: 0.1 }), 1).params.w, [0.9, 2.1], { rtol: 1e-6 });
  });

  it("update is pure: the old state and parameters are untouched", () => {
    const opt = optim.sgd({ lr: 0.1, momentum: 0.5 });
    const state = opt.init(p0);
    opt.update(g0, state, p0);
    expect(Array.from(p0.w.data())).toEqual([1, 2]);
    expect(Array.from(state.slots.velocity![0]!.data())).toEqual([0, 0]);
    expect(state.step.item()).toBe(0);
  });

  it("every optimizer minimises (w − 3)²", () => {
    const f = (p: { w: Tensor }) => p.w.sub(3).square().sum();
    for (const opt of [
      optim.sgd({ lr: 0.1 }),
      optim.sgd({ lr: 0.05, momentum: 0.9, nesterov: true }),
      optim.adam({ lr: 0.1 }),
      optim.adamw({ lr: 0.1, weightDecay: 0 }),
      optim.rmsprop({ lr: 0.05 }),
      optim.adagrad({ lr: 0.5 }),
    ]) {
      let params = { w: tensor([0]) };
      let state = opt.init(params);
      for (let i = 0; i < 300; i++) ({ params, state } = opt.update(grad(f)(params), state, params));
      expect(Math.abs(params.w.item() - 3), opt.name).toBeLessThan(0.05);
    }
  });
});

describe("schedules and clipping", () => {
  const at = (s: optim.Schedule, n: number) => s(scalar(n)).item();
  it("step, exponential, cosine and warmup schedules", () => {
    const s = optim.stepDecay({ lr: 1, stepSize: 10, gamma: 0.5 });
    expect([0, 9, 10, 25].map((n) => at(s, n))).toEqual([1, 1, 0.5, 0.25]);
    expect(at(optim.exponentialDecay({ lr: 2, decayRate: 0.5, decaySteps: 4 }), 8)).toBeCloseTo(0.5, 6);
    const c = optim.cosineDecay({ lr: 1, decaySteps: 100, alpha: 0.1 });
    expect(at(c, 0)).toBeCloseTo(1, 6);
    expect(at(c, 50)).toBeCloseTo(0.55, 6);
    expect(at(c, 100)).toBeCloseTo(0.1, 6);
    expect(at(c, 500)).toBeCloseTo(0.1, 6);
    const w = optim.linearWarmup({ lr: optim.stepDecay({ lr: 1, stepSize: 5, gamma: 0.1 }), warmupSteps: 4 });
    expect([0, 1, 3, 4, 9].map((n) => at(w, n))).toEqual([0.25, 0.5, 1, 1, 0.1].map(Math.fround));
    // An optimizer with a schedule uses it step by step.
    const opt = optim.sgd({ lr: s });
    expect(opt.learningRate(run(opt, 10).state)).toBe(0.5);
  });

  it("clipByGlobalNorm scales all gradients together; clipByValue clips entries", () => {
    const g = { a: tensor([3]), b: tensor([4]) };
    expect(optim.globalNorm(g).item()).toBeCloseTo(5, 6);
    const c = optim.clipByGlobalNorm(g, 1);
    expect(c.a.item()).toBeCloseTo(0.6, 5);
    expect(c.b.item()).toBeCloseTo(0.8, 5);
    expect(optim.clipByGlobalNorm(g, 10).a.item()).toBeCloseTo(3, 5);
    expect(Array.from(optim.clipByValue({ a: tensor([-5, 0.5, 5]) }, 1).a.data())).toEqual([-1, 0.5, 1]);
    // Through an optimizer: sgd with clipNorm 1 moves by lr·g/|g|.
    expectClose(
      run(optim.sgd({ lr: 1, clipNorm: 1 }), 1).params.w,
      [1 - 0.5 / Math.sqrt(1.25), 2 + 1 / Math.sqrt(1.25)],
      { rtol: 1e-5 },
    );
  });
});

describe("PyTorch-style opt.step(model) after loss.backward()", () => {
  it("takes the same step as the functional update", () => {
    const model = nn.linear(2, 1);
    model.setParameters({ weight: tensor([[0.5, -0.5]]), bias: tensor([0.1]) });
    const x = tensor([
      [1, 2],
      [3, -1],
    ]);
    const y = tensor([[1], [0]]);
    const expected = (() => {
      const opt = optim.adam({ lr: 0.1 });
      const g = grad((p: nn.ParamTree) => nn.mse(model.apply(p, x), y))(model.parameters());
      return opt.update(g, opt.init(model.parameters()), model.parameters()).params;
    })();
    const opt = optim.adam({ lr: 0.1 });
    nn.mse(model.call(x), y).backward();
    opt.step(model);
    expectClose(model.parameters().weight as Tensor, (expected.weight as Tensor).toArray());
    expectClose(model.parameters().bias as Tensor, (expected.bias as Tensor).toArray());
    // The state persists: a second step differs from a fresh first step.
    model.zeroGrad();
    nn.mse(model.call(x), y).backward();
    opt.step(model);
    expect(model.namedParameters().every(([, t]) => t.requiresGrad && t.grad === undefined)).toBe(true);
  });
});
