import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  type BackendName,
  type Callback,
  data,
  FileFormatError,
  getBackend,
  load,
  loadCheckpoint,
  modelCheckpoint,
  nn,
  optim,
  random,
  saveCheckpoint,
  setBackend,
  type Tensor,
} from "../../src/index.js";
import { tempDirs } from "./temp.js";

const tempDir = tempDirs("grafo-ckpt-");

const DEFAULT_BACKEND = getBackend();
const BACKENDS = [...new Set<BackendName>(["js", DEFAULT_BACKEND])];

/** Same seed ⇒ same weights; batchNorm (running statistics) and dropout (PRNG keys) make resuming harder. */
const net = () =>
  nn.sequential(
    nn.linear(2, 16, { key: random.key(1) }),
    nn.batchNorm(16),
    nn.relu(),
    nn.dropout(0.2),
    nn.linear(16, 1, { key: random.key(2) }),
  );
const { x, y } = data.circle({ n: 80, seed: 4 });
const options = (extra: object = {}) => ({
  loss: "binaryCrossEntropyWithLogits" as const,
  batchSize: 16,
  validationSplit: 0.2,
  seed: 7,
  verbose: 0 as const,
  optimizer: optim.adam({ lr: 0.02 }),
  ...extra,
});

/** Every parameter and buffer bit for bit (Object.is tells -0 from 0 and NaN from numbers). */
function bitEqual(a: Record<string, Tensor>, b: Record<string, Tensor>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const [k, t] of Object.entries(a)) {
    const u = b[k]!.data();
    const mismatch = Array.from(t.data()).findIndex((v, i) => !Object.is(v, u[i]));
    expect({ k, mismatch }).toEqual({ k, mismatch: -1 });
  }
}

describe.each(BACKENDS)("resuming from a checkpoint (%s backend)", (backend) => {
  const withBackend = async <T>(fn: () => Promise<T>): Promise<T> => {
    setBackend(backend);
    try {
      return await fn();
    } finally {
      setBackend(DEFAULT_BACKEND);
    }
  };

  it.each([true, false])(
    "gives the weights of an uninterrupted run, bit for bit (compiled: %s)",
    (compiled) =>
      withBackend(async () => {
        const whole = net();
        const wholeHistory = await whole.fit(x, y, options({ epochs: 5, compiled }));

        // The same run, written every epoch, "crashes" after epoch 2 and resumes in a new model.
        const dir = tempDir();
        await net().fit(
          x,
          y,
          options({ epochs: 2, compiled, callbacks: [modelCheckpoint({ path: join(dir, "ckpt-{epoch}") })] }),
        );
        expect(readdirSync(dir).sort()).toEqual(["ckpt-1", "ckpt-2"]);
        expect(readdirSync(join(dir, "ckpt-2")).sort()).toEqual([
          "checkpoint.json",
          "model.json",
          "optimizer.safetensors",
          "weights.safetensors",
        ]);
        const { model, state } = await loadCheckpoint(join(dir, "ckpt-2"));
        expect(state.epoch).toBe(2);
        expect(state.optState.step.item()).toBe(8); // 2 epochs × 4 batches of 16 (64 training samples)
        const resumed = await model.fit(x, y, options({ epochs: 5, compiled, resume: state }));

        bitEqual(whole.stateDict(), model.stateDict());
        expect(resumed.epochs).toEqual([0, 1, 2, 3, 4]);
        expect(resumed.history).toEqual(wholeHistory.history);
      }),
  );
});

describe("checkpoints", () => {
  it("round-trip the optimizer state, keys and History through one buffer", async () => {
    const model = net();
    let bytes: Uint8Array | undefined;
    await model.fit(
      x,
      y,
      options({
        epochs: 2,
        optimizer: optim.sgd({ lr: 0.1, momentum: 0.9 }),
        callbacks: [
          reduceEveryEpoch(),
          {
            onEpochEnd: async (_e, _l, ctx) => {
              bytes = await saveCheckpoint(ctx.model, ctx.trainState());
            },
          } satisfies Callback,
        ],
      }),
    );
    const { state, model: back } = await loadCheckpoint(bytes!);
    expect(state.optimizer).toBe("sgd");
    expect(Object.keys(state.optState.slots)).toEqual(["velocity"]);
    expect(state.optState.slots.velocity).toHaveLength(6); // 2 linear (w, b) + batchNorm (w, b)
    expect(state.optState.lrScale.item()).toBeCloseTo(0.25, 7); // halved after each of the 2 epochs
    expect(state.history.get("loss")).toHaveLength(2);
    expect(state.history.get("valLoss")).toHaveLength(2);
    bitEqual(model.stateDict(), back.stateDict());
  });

  it("modelCheckpoint with weightsOnly writes a model folder that load reads", async () => {
    const dir = tempDir();
    const model = net();
    await model.fit(
      x,
      y,
      options({ epochs: 1, callbacks: [modelCheckpoint({ path: join(dir, "m"), weightsOnly: true })] }),
    );
    expect(readdirSync(join(dir, "m")).sort()).toEqual(["model.json", "weights.safetensors"]);
    bitEqual(model.stateDict(), (await load(join(dir, "m"))).stateDict());
  });

  it("a state from another optimizer is refused, naming both", async () => {
    const dir = tempDir();
    await net().fit(x, y, options({ epochs: 1, callbacks: [modelCheckpoint({ path: join(dir, "c") })] }));
    const { model, state } = await loadCheckpoint(join(dir, "c"));
    await expect(
      model.fit(x, y, options({ epochs: 2, resume: state, optimizer: optim.rmsprop() })),
    ).rejects.toThrow(ArgumentError);
    await expect(
      model.fit(x, y, options({ epochs: 2, resume: state, optimizer: optim.rmsprop() })),
    ).rejects.toThrow(
      /resumed optimizer state \(adam\) does not fit this rmsprop optimizer.*\[m, v\].*\[meanSquare\]/,
    );
  });

  it("a damaged checkpoint.json or optimizer file is a clear error", async () => {
    const dir = tempDir();
    await net().fit(x, y, options({ epochs: 1, callbacks: [modelCheckpoint({ path: join(dir, "c") })] }));
    const file = join(dir, "c", "checkpoint.json");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, good.replace('"epoch": 1', '"epoch": -3'));
    await expect(loadCheckpoint(join(dir, "c"))).rejects.toThrow(FileFormatError);
    await expect(loadCheckpoint(join(dir, "c"))).rejects.toThrow(
      /checkpoint\.json: "epoch" must be a non-negative integer/,
    );
    writeFileSync(file, good.replace('"m": 6', '"m": 7'));
    await expect(loadCheckpoint(join(dir, "c"))).rejects.toThrow(
      /optimizer\.safetensors: is missing "slots\.m\.6"/,
    );
    writeFileSync(file, good.replace('"formatVersion": 1', '"formatVersion": 4'));
    await expect(loadCheckpoint(join(dir, "c"))).rejects.toThrow(/upgrade grafo/);
  });
});

/** Halves the learning rate after every epoch (through the same path reduceLROnPlateau uses). */
function reduceEveryEpoch(): Callback {
  return { onEpochEnd: (_e, _l, ctx) => ctx.scaleLearningRate(0.5) };
}
