/**
 * What the threads test runs inside the page: a 1024² float32 matmul on the
 * wasm backend after its worker pool has started (where it can), timed a few
 * times, with a sample of the product checked against float64 dot products.
 */

import { wasmThreadsReady } from "../../src/backends/wasm/index.js";
import { backends, matmul, random, setBackend } from "../../src/index.js";

export async function matmulInPage(n: number, reps: number) {
  setBackend("wasm");
  const threads = await wasmThreadsReady();
  const a = random.normal(random.key(0), [n, n]);
  const b = random.normal(random.key(1), [n, n]);
  let c = matmul(a, b).data(); // warm-up: kernels compiled, workers loaded
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    c = matmul(a, b).data();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const ad = a.data();
  const bd = b.data();
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const [i, j] = [(s * 131) % n, (s * 197 + 7) % n];
    let dot = 0;
    let mag = 0;
    for (let k = 0; k < n; k++) {
      dot += ad[i * n + k]! * bd[k * n + j]!;
      mag += Math.abs(ad[i * n + k]! * bd[k * n + j]!);
    }
    worst = Math.max(worst, Math.abs(c[i * n + j]! - dot) / mag);
  }
  const median = times[Math.floor(times.length / 2)]!;
  return {
    isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    cores: navigator.hardwareConcurrency,
    threads,
    note: backends().find((x) => x.name === "wasm")?.note ?? "",
    gflops: (2 * n ** 3) / (median * 1e6),
    worstRelativeError: worst,
  };
}

(globalThis as { matmulInPage?: typeof matmulInPage }).matmulInPage = matmulInPage;
