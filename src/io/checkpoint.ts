/**
 * Checkpoints: a saved model plus what `fit` needs to continue the run
 * exactly: the optimizer state, the epochs done, the PRNG keys and the
 * History. Stored as the model folder with two more files,
 * `checkpoint.json` and `optimizer.safetensors` (kept at full precision).
 */
import { PRNGKey } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";
import type { Module } from "../nn/module.js";
import type { OptState } from "../optim/optimizers.js";
import type { TrainState } from "../train/fit.js";
import { History } from "../train/history.js";
import type { LoadOptions, ModelInfo, ModelSource, SaveOptions } from "./api.js";
import { buildModule } from "./architecture.js";
import { readBundle, WEIGHTS, writeBundle } from "./bundle.js";
import { FileFormatError } from "./errors.js";
import { isJsonObject, type Json, type JsonObject } from "./json.js";
import { assignWeights, MODEL_JSON, modelInfo, parseModelInfo, torchStateDict } from "./model.js";

export { save } from "./model.js";

const CHECKPOINT_JSON = "checkpoint.json";
const OPTIMIZER = "optimizer.safetensors";
const CHECKPOINT_FORMAT_VERSION = 1;

/** A checkpoint as `loadCheckpoint` returns it: pass `state` to `fit` as `resume`. */
export interface Checkpoint {
  readonly model: Module;
  readonly state: TrainState;
  readonly info: ModelInfo;
}

/** The optimizer state as named tensors: `step`, `lrScale`, `slots.<slot>.<i>` (i in the parameters' flatten order). */
function optTensors(s: OptState): Record<string, Tensor> {
  const out: Record<string, Tensor> = { step: s.step, lrScale: s.lrScale };
  for (const [slot, ts] of Object.entries(s.slots))
    for (const [i, t] of ts.entries()) out[`slots.${slot}.${i}`] = t;
  return out;
}

const keyJson = (k: PRNGKey): Json => [k.hi, k.lo];

/**
 * Saves `model` and the training state (`ctx.trainState()` in a callback;
 * `modelCheckpoint` does this every epoch) to a folder, a `.safetensors`
 * file or `indexeddb://name`; with no destination, returns the single-buffer form.
 */
export async function saveCheckpoint(
  model: Module,
  state: TrainState,
  destination: string,
  options?: Pick<SaveOptions, "metadata">,
): Promise<undefined>;
export async function saveCheckpoint(
  model: Module,
  state: TrainState,
  destination?: undefined,
  options?: Pick<SaveOptions, "metadata">,
): Promise<Uint8Array>;
export async function saveCheckpoint(
  model: Module,
  state: TrainState,
  destination?: string,
  options: Pick<SaveOptions, "metadata"> = {},
): Promise<Uint8Array | undefined> {
  const info = modelInfo(model, options.metadata, "saveCheckpoint");
  const h = state.history;
  // JSON has no NaN or Infinity; null stands for them and reads back as NaN.
  const history: JsonObject = Object.fromEntries(
    Object.entries(h.history).map(([k, v]) => [k, v.map((x) => (Number.isFinite(x) ? x : null))]),
  );
  const doc: JsonObject = {
    format: "grafo-checkpoint",
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    epoch: state.epoch,
    optimizer: state.optimizer,
    slots: Object.fromEntries(Object.entries(state.optState.slots).map(([s, ts]) => [s, ts.length])),
    dataKey: keyJson(state.dataKey),
    dropoutKey: keyJson(state.dropoutKey),
    history: { epochs: [...h.epochs], values: history, stopped: h.stopped ?? null },
  };
  return writeBundle(
    {
      tensors: [
        [WEIGHTS, torchStateDict(model)],
        [OPTIMIZER, optTensors(state.optState)],
      ],
      docs: [
        [CHECKPOINT_JSON, doc],
        [MODEL_JSON, info as unknown as Json],
      ],
    },
    destination,
    "saveCheckpoint",
  );
}

/** Reads checkpoint.json and the optimizer tensors back into a TrainState. */
function parseState(
  raw: Json | undefined,
  opt: Record<string, Tensor>,
  file: string,
  optFile: string,
): TrainState {
  const bad = (what: string): never => {
    throw new FileFormatError(file, what);
  };
  if (!isJsonObject(raw) || raw.format !== "grafo-checkpoint")
    bad(`is not a grafo checkpoint.json (expected "format": "grafo-checkpoint")`);
  const doc = raw as JsonObject;
  const v = doc.formatVersion;
  if (typeof v !== "number" || v > CHECKPOINT_FORMAT_VERSION)
    bad(
      `has checkpoint format version ${JSON.stringify(v)}; this grafo reads up to ${CHECKPOINT_FORMAT_VERSION}: upgrade grafo to load it`,
    );
  const epoch = doc.epoch;
  if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 0)
    bad(`"epoch" must be a non-negative integer`);
  const key = (name: string): PRNGKey => {
    const k = doc[name];
    if (
      !Array.isArray(k) ||
      k.length !== 2 ||
      !k.every((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) < 2 ** 32)
    )
      bad(`"${name}" must be two 32-bit unsigned integers`);
    return new PRNGKey((k as number[])[0]!, (k as number[])[1]!);
  };
  const scalarOf = (name: string): Tensor => {
    const t = opt[name];
    if (t?.size !== 1) throw new FileFormatError(optFile, `needs a scalar "${name}"`);
    return t;
  };
  const slotsDoc = doc.slots;
  if (!isJsonObject(slotsDoc)) bad(`"slots" must map slot names to tensor counts`);
  const slots: Record<string, Tensor[]> = {};
  for (const [slot, n] of Object.entries(slotsDoc as JsonObject)) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > Object.keys(opt).length)
      bad(`slot "${slot}" has an impossible tensor count ${JSON.stringify(n)}`);
    slots[slot] = Array.from({ length: n as number }, (_, i) => {
      const t = opt[`slots.${slot}.${i}`];
      if (!t) throw new FileFormatError(optFile, `is missing "slots.${slot}.${i}"`);
      return t;
    });
  }
  const hist = doc.history;
  const history = new History();
  if (!isJsonObject(hist) || !Array.isArray(hist.epochs) || !isJsonObject(hist.values))
    bad(`"history" must hold "epochs" and "values"`);
  const hd = hist as JsonObject;
  for (const e of hd.epochs as Json[]) {
    if (typeof e !== "number") bad(`"history.epochs" must be numbers`);
    history.epochs.push(e as number);
  }
  for (const [k, vals] of Object.entries(hd.values as JsonObject)) {
    if (!Array.isArray(vals) || !vals.every((x) => x === null || typeof x === "number"))
      bad(`"history.values.${k}" must be a list of numbers`);
    history.history[k] = (vals as (number | null)[]).map((x) => (x === null ? Number.NaN : x));
  }
  const stopped = hd.stopped;
  if (stopped === "earlyStopping" || stopped === "aborted" || stopped === "callback")
    history.stopped = stopped;
  return {
    epoch: epoch as number,
    optimizer: typeof doc.optimizer === "string" ? doc.optimizer : "unknown",
    optState: { step: scalarOf("step"), lrScale: scalarOf("lrScale"), slots },
    dataKey: key("dataKey"),
    dropoutKey: key("dropoutKey"),
    history,
  };
}

/**
 * A checkpoint from `saveCheckpoint` (or `modelCheckpoint`): the model (in
 * eval mode; fit switches it to training) and the state to pass to `fit` as
 * `resume`.
 */
export async function loadCheckpoint(source: ModelSource, options: LoadOptions = {}): Promise<Checkpoint> {
  const b = await readBundle(
    source,
    { docs: [CHECKPOINT_JSON, MODEL_JSON], tensors: [WEIGHTS, OPTIMIZER] },
    "loadCheckpoint",
  );
  const file = b.name(MODEL_JSON);
  const info = parseModelInfo(b.docs[MODEL_JSON], file);
  const state = parseState(
    b.docs[CHECKPOINT_JSON],
    b.tensors[OPTIMIZER]!,
    b.name(CHECKPOINT_JSON),
    b.name(OPTIMIZER),
  );
  const model = buildModule(info.architecture, options.classes ?? [], file);
  assignWeights(model, b.tensors[WEIGHTS]!, b.name(WEIGHTS));
  model.eval();
  return { model, state, info };
}
