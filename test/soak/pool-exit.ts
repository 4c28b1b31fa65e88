/**
 * Starts the wasm worker pool, runs a product large enough to use it, prints
 * the thread count and returns: the process must then exit by itself (the
 * workers are unref'd), which soak.test.ts checks.
 */

import { wasmThreadsReady } from "../../src/backends/wasm/index.js";
import { random, setBackend } from "../../src/index.js";

setBackend("wasm");
const threads = await wasmThreadsReady();
const a = random.normal(random.key(0), [512, 512]);
const c = a.matmul(a);
console.log(JSON.stringify({ threads, value: c.sum().item() }));
