/**
 * Memory stays flat in long training (issue: reliability). The soak run needs
 * `--expose-gc` and a process of its own, so this test spawns
 * test/soak/soak.ts in its short form and reads its JSON; `npm run soak` is
 * the 20 000-step version.
 */
import { spawnSync } from "node:child_process";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import {
  compile,
  memory,
  nn,
  optim,
  random,
  type Tensor,
  trackTensors,
  valueAndGrad,
} from "../../src/index.js";
import type { ScenarioResult } from "./soak.js";

const here = new URL(".", import.meta.url).pathname;
const MB = 2 ** 20;

function runNode(script: string, args: readonly string[], timeoutMs: number) {
  return spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", `${here}${script}`, ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, GRAFO_BACKEND: "" },
  });
}

describe("memory in long training", () => {
  it("stays flat: growth under 2 MB over the second half, every workload, backend and mode", () => {
    const r = runNode("soak.ts", ["--steps", "96", "--short", "--json"], 240_000);
    expect(r.status, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { results: ScenarioResult[] };
    // MLP and CNN × loop (adam, sgd by hand, compiled) and fit (eager, compiled) × each backend, plus the transforms.
    expect(results.length).toBeGreaterThanOrEqual(9 * 2 + 2);
    const report = results.map(
      (s) =>
        `${s.name}: heap ${(s.growth.heapUsed / MB).toFixed(2)} MB, arrayBuffers ${(s.growth.arrayBuffers / MB).toFixed(2)} MB, rss ${(s.growth.rss / MB).toFixed(2)} MB`,
    );
    console.log(`soak (short):\n  ${report.join("\n  ")}`);
    for (const s of results) {
      expect(s.growth.heapUsed, s.name).toBeLessThan(2 * MB);
      expect(s.growth.arrayBuffers, s.name).toBeLessThan(2 * MB);
      // RSS also moves by whole allocator arenas and V8 pages, up to about
      // 2 MB at a time, once and then never again: a single step inside a
      // short second half reads as growth. A leak grows again in a run of its
      // own, so a workload over the bound on RSS alone is run once more, alone.
      let rss = s.growth.rss;
      if (rss >= 2 * MB) {
        const again = runNode("soak.ts", ["--steps", "96", "--short", "--json", "--only", s.name], 120_000);
        expect(again.status, again.stderr).toBe(0);
        const rerun = (JSON.parse(again.stdout.trim().split("\n").at(-1)!) as { results: ScenarioResult[] })
          .results;
        rss = rerun.find((x) => x.name === s.name)!.growth.rss;
        console.log(
          `soak (short): ${s.name} grew ${(s.growth.rss / MB).toFixed(2)} MB of RSS; alone: ${(rss / MB).toFixed(2)} MB`,
        );
      }
      expect(rss, s.name).toBeLessThan(2 * MB);
    }
  }, 300_000);

  it("a process that started the wasm worker pool exits by itself", () => {
    const r = runNode("pool-exit.ts", [], 60_000);
    expect(r.error, "the process did not exit within 60 s").toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { threads: number; value: number };
    expect(Number.isFinite(out.value)).toBe(true);
    expect(out.threads).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe("what keeps memory alive, structurally", () => {
  const model = () =>
    nn.sequential(
      nn.linear(2, 4, { key: random.key(0) }),
      nn.relu(),
      nn.linear(4, 1, { key: random.key(1) }),
    );
  const x = random.normal(random.key(2), [8, 2]);
  const y = random.normal(random.key(3), [8, 1]);

  it("model.parameters() is a tree of values: same data, no requiresGrad, no history", () => {
    const m = model();
    const p = m.parameters() as { "0": { weight: Tensor } };
    const [, obj] = m.namedParameters()[0]!;
    expect(p["0"].weight.requiresGrad).toBe(false);
    expect(p["0"].weight._buf!.data).toBe(obj._buf!.data);
    expect(obj.requiresGrad).toBe(true);
  });

  it("gradients, optimizer updates and hand-written updates carry no backward() history", () => {
    const m = model();
    // Even from the PyTorch-style parameter objects (requiresGrad), the functional path records nothing.
    const objects = Object.fromEntries(m.namedParameters()) as Record<string, Tensor>;
    const loss = (p: Record<string, Tensor>) =>
      nn.mse(
        m.apply(
          {
            "0": { weight: p["0.weight"]!, bias: p["0.bias"]! },
            "2": { weight: p["2.weight"]!, bias: p["2.bias"]! },
          },
          x,
        ),
        y,
      );
    const [l, g] = valueAndGrad(loss)(objects);
    expect(l._gradFn).toBeUndefined();
    for (const t of Object.values(g)) expect(t._gradFn).toBeUndefined();
    const opt = optim.sgd({ lr: 0.1 });
    const next = opt.update(g, opt.init(objects), objects);
    for (const t of Object.values(next.params)) {
      expect(t._gradFn).toBeUndefined();
      // …and PyTorch-style leaves stay leaves, so backward() still fills their .grad.
      expect(t.requiresGrad).toBe(true);
    }
    // A hand-written step from model.parameters() records nothing either.
    const p0 = m.parameters() as { "0": { weight: Tensor } };
    expect(p0["0"].weight.sub(1)._gradFn).toBeUndefined();
  });

  it("memory() counts live tensors while tracking, and compiled plans and their pools", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // Finalizers run as tasks some time after the collection that found their targets.
    const collect = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    trackTensors();
    try {
      const f = compile((v: Tensor) => v.mul(2).exp().sum());
      f(random.normal(random.key(5), [256]));
      expect(memory().pools.plans?.plans).toBeGreaterThanOrEqual(1);
      const before = memory();
      expect(before.tracking).toBe(true);
      let keep: Tensor | undefined = random.normal(random.key(4), [1000]);
      let view: Tensor | undefined = keep.reshape([10, 100]);
      const during = memory();
      expect(during.tensors - before.tensors).toBeGreaterThanOrEqual(2);
      // The view shares the buffer: one buffer of 4 000 bytes more, not two.
      expect(during.bytes - before.bytes).toBeGreaterThanOrEqual(4000);
      expect(during.bytes - before.bytes).toBeLessThan(8000);
      expect(view.shape).toEqual([10, 100]);
      keep = undefined;
      view = undefined;
      await collect();
      expect(memory().bytes).toBeLessThanOrEqual(during.bytes - 4000);
    } finally {
      trackTensors(false);
    }
    expect(memory().tracking).toBe(false);
  });
});
