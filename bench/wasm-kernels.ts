/**
 * Micro-benchmark of the Wasm kernels: `npx tsx bench/wasm-kernels.ts`.
 * Prints median times and GFLOP/s; a few seconds in all (the machine is shared).
 */
import {
  compileElementwise,
  dgemm,
  ew,
  setWasmThreads,
  sgemm,
  wasmFeatures,
  wasmThreadCount,
  wasmThreadsReady,
} from "../src/backends/wasm/index.js";

function median(run: () => void, reps: number): number {
  run(); // warm up: compile, grow the arena
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] as number;
}

function random(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.random() - 0.5);
}

function benchGemm(label: string, s: number, transA: boolean, transB: boolean): void {
  const a = { data: random(s * s), rowStride: transA ? 1 : s, colStride: transA ? s : 1 };
  const b = { data: random(s * s), rowStride: transB ? 1 : s, colStride: transB ? s : 1 };
  const c = { data: new Float32Array(s * s) };
  const ms = median(() => sgemm({ m: s, n: s, k: s, a, b, c }), s >= 512 ? 7 : 200);
  const t = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
  console.log(
    `${label} sgemm ${s}³ ${t}: ${ms.toFixed(3)} ms  ${((2 * s ** 3) / ms / 1e6).toFixed(1)} GFLOP/s`,
  );
}

const maxThreads = await wasmThreadsReady();
console.log("features", wasmFeatures(), "threads", maxThreads);
const x = Float32Array.from({ length: 1e6 }, () => Math.random() * 10 - 5);
const out = new Float32Array(x.length);
const fused = compileElementwise(ew.add(ew.mul(ew.exp(ew.input(0)), 2), 1));

for (const threads of [...new Set([1, maxThreads])]) {
  setWasmThreads(threads);
  const label = `[${wasmThreadCount()} thread${threads > 1 ? "s" : ""}]`;
  benchGemm(label, 128, false, false);
  benchGemm(label, 1024, false, false);
  if (threads === 1) {
    benchGemm(label, 1024, true, true);
    benchGemm(label, 128, true, false);
    const d = Float64Array.from(random(512 * 512));
    const ms = median(() => dgemm({ m: 512, n: 512, k: 512, a: { data: d }, b: { data: d } }), 7);
    console.log(
      `${label} dgemm 512³: ${ms.toFixed(3)} ms  ${((2 * 512 ** 3) / ms / 1e6).toFixed(1)} GFLOP/s`,
    );
  }
  const ms = median(() => fused.run([x], [], out), 50);
  console.log(`${label} fused exp(x)*2+1 over 1e6 floats: ${ms.toFixed(3)} ms (copies in/out included)`);
}
