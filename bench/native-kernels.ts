/**
 * Micro-benchmark of the native addon: `npx tsx bench/native-kernels.ts`.
 * GEMM GFLOP/s at 128 and 1024 on 1 and 2 threads, and exp(x)·2 + 1 over 1e6
 * floats (fused in one call, and as three backend kernels). A few seconds in
 * all. Prints the median and the best of the repetitions: on a shared machine
 * the best shows what the kernel can do, the median what a neighbour let it do.
 */
import { cpus, loadavg } from "node:os";
import { loadNative, loadNativeAddon, UNARY } from "../src/backends/native/index.js";
import type { Kernel } from "../src/core/backend.js";
import { Tensor } from "../src/core/tensor.js";
import { measure } from "./measure.js";

const load = loadNativeAddon();
const backend = loadNative();
if (!load.ok || !backend.ok) {
  console.log(`native backend unavailable: ${load.ok ? "" : load.reason}`);
  process.exit(0);
}
const addon = load.addon;
const kernels = backend.backend.kernels;
const hardwareThreads = addon.threads();

const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const fmt = (x: number, digits = 1) => x.toFixed(digits).padStart(7);

console.log(
  `native: ${addon.isa()}, ${hardwareThreads} hardware threads, ${cpus()[0]?.model ?? "?"}, load average ${loadavg()[0]!.toFixed(2)}`,
);

async function gemm(n: number, threads: number): Promise<void> {
  addon.setThreads(threads);
  const a = random(n * n);
  const b = random(n * n);
  const c = new Float32Array(n * n);
  const zero = Float64Array.of(0);
  const run = () => addon.gemm(a, b, c, zero, zero, zero, n, n, n, n, 1, n, 1, n, false);
  const small = n <= 256;
  // Small products are timed in bursts so the timer's resolution does not dominate.
  const burst = small ? 50 : 1;
  const t = await measure(
    () => {
      for (let i = 0; i < burst; i++) run();
    },
    { warmup: small ? 20 : 2, minReps: small ? 30 : 5, maxMs: small ? 400 : 1500 },
  );
  const gflops = (ms: number) => (2 * n ** 3 * burst) / ms / 1e6;
  console.log(
    `sgemm ${String(n).padStart(4)}³  ${threads} thread${threads > 1 ? "s" : " "}: ${fmt(gflops(t.median))} GFLOP/s median, ${fmt(gflops(t.min))} best`,
  );
}

for (const n of [128, 1024]) for (const threads of [1, 2]) await gemm(n, threads);

async function expAffine(threads: number): Promise<void> {
  addon.setThreads(threads);
  const n = 1e6;
  const x = Float32Array.from({ length: n }, () => Math.random() * 10 - 5);
  const out = new Float32Array(n);
  const fused = await measure(() => addon.unary(UNARY.exp, x, 0, out, 0, n, 2, 1), {
    warmup: 5,
    minReps: 20,
    maxMs: 500,
  });
  // The same through the Backend interface: exp, then mul and add against broadcast scalars.
  const xt = Tensor._fromData(x, [n], "float32");
  const scalar = (v: number) =>
    new Tensor([n], "float32", { data: Float32Array.of(v), strides: [0], offset: 0 });
  const [two, one] = [scalar(2), scalar(1)];
  const aval = { shape: [n], dtype: "float32" as const };
  const exp = kernels.exp as Kernel<"exp">;
  const mul = kernels.mul as Kernel<"mul">;
  const add = kernels.add as Kernel<"add">;
  const chain = await measure(() => add([mul([exp([xt], {}, aval), two], {}, aval), one], {}, aval), {
    warmup: 5,
    minReps: 20,
    maxMs: 500,
  });
  console.log(
    `exp(x)·2+1 on 1e6 floats, ${threads} thread${threads > 1 ? "s" : " "}: fused ${fmt(fused.median, 3)} ms median (${fused.min.toFixed(3)} best); ` +
      `3 kernels ${fmt(chain.median, 3)} ms median (${chain.min.toFixed(3)} best)`,
  );
}

for (const threads of [1, 2]) await expAffine(threads);
addon.setThreads(hardwareThreads);
