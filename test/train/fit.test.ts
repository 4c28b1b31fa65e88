import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  data,
  earlyStopping,
  makeTrainStep,
  modelCheckpoint,
  nn,
  optim,
  random,
  reduceLROnPlateau,
  ShapeError,
  type Tensor,
  tensor,
  train,
} from "../../src/index.js";

const quiet = { verbose: 0 } as const;
const net = (seed = 0) => nn.mlp([2, 8, 1], { activation: "tanh", key: random.key(seed) });

describe("fit", () => {
  it("learns the Playground xor set and logs loss, metrics and validation", async () => {
    const { x, y } = data.xor({ n: 200, seed: 1 });
    const model = nn.mlp([2, 16, 1], { activation: "tanh", key: random.key(2) });
    const h = await model.fit(x.div(5), y, {
      loss: "binaryCrossEntropyWithLogits",
      optimizer: optim.adam({ lr: 0.03 }),
      epochs: 30,
      batchSize: 20,
      validationSplit: 0.25,
      metrics: ["accuracy"],
      ...quiet,
    });
    expect(h.epochs).toHaveLength(30);
    expect(Object.keys(h.history).sort()).toEqual(["accuracy", "loss", "valAccuracy", "valLoss"]);
    expect(h.get("loss")[29]!).toBeLessThan(h.get("loss")[0]! / 3);
    expect(h.last("accuracy")!).toBeGreaterThan(0.95);
    expect(h.last("valAccuracy")!).toBeGreaterThan(0.9);
    const ev = await model.evaluate(x.div(5), y, {
      loss: "binaryCrossEntropyWithLogits",
      metrics: ["accuracy"],
    });
    expect(ev.accuracy).toBeGreaterThan(0.93);
    expect(model.predict(x.div(5), { batchSize: 64 }).shape).toEqual([200, 1]);
  });

  it("the same seed twice gives identical weights after training (shuffle and dropout included)", async () => {
    const { x, y } = data.moons({ n: 64, noise: 0.1, seed: 3 });
    const trainOnce = async () => {
      const model = nn.sequential(
        nn.linear(2, 16, { key: random.key(1) }),
        nn.relu(),
        nn.dropout(0.2),
        nn.linear(16, 1, { key: random.key(2) }),
      );
      await model.fit(x, y, {
        loss: "binaryCrossEntropyWithLogits",
        optimizer: optim.adam({ lr: 0.01 }),
        epochs: 3,
        batchSize: 16,
        seed: 7,
        ...quiet,
      });
      return model.namedParameters().map(([k, t]) => [k, Array.from(t.data())]);
    };
    const a = await trainOnce();
    expect(await trainOnce()).toEqual(a);
  });

  it("calls the callbacks in order, and a callback can stop training", async () => {
    const { x, y } = data.lectureXor();
    const events: string[] = [];
    const h = await net().fit(x, y, {
      loss: "mse",
      epochs: 5,
      batchSize: 2,
      shuffle: false,
      ...quiet,
      callbacks: [
        {
          onTrainBegin: () => void events.push("trainBegin"),
          onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
          onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
          onBatchEnd: (b, logs) => void events.push(`batchEnd ${b} ${Object.keys(logs)}`),
          onEpochEnd: (e, _logs, ctx) => {
            events.push(`epochEnd ${e}`);
            if (e === 1) ctx.stopTraining = true;
          },
          onTrainEnd: () => void events.push("trainEnd"),
        },
      ],
    });
    expect(events).toEqual([
      "trainBegin",
      "epochBegin 0",
      "batchBegin 0",
      "batchEnd 0 loss",
      "batchBegin 1",
      "batchEnd 1 loss",
      "epochEnd 0",
      "epochBegin 1",
      "batchBegin 0",
      "batchEnd 0 loss",
      "batchBegin 1",
      "batchEnd 1 loss",
      "epochEnd 1",
      "trainEnd",
    ]);
    expect(h.stopped).toBe("callback");
  });

  it("earlyStopping stops when the loss stops improving and can restore the best weights", async () => {
    const { x, y } = data.lectureXor();
    const stop = earlyStopping({ monitor: "loss", patience: 1, minDelta: 10 });
    const h = await net().fit(x, y, { loss: "mse", epochs: 20, ...quiet, callbacks: [stop] });
    expect(h.epochs).toEqual([0, 1, 2]);
    expect(stop.stoppedEpoch).toBe(2);
    await expect(
      net().fit(x, y, { loss: "mse", epochs: 2, ...quiet, callbacks: [earlyStopping()] }),
    ).rejects.toThrow(/"valLoss" is not in the logs \(loss\)/);
    // restoreBestWeights: the weights after training are those of the epoch with the best logged loss.
    const model = net(5);
    const snapshots: number[][] = [];
    const weights = () => model.namedParameters().flatMap(([, t]) => Array.from(t.data()));
    const best = earlyStopping({ monitor: "loss", patience: 1, restoreBestWeights: true });
    const hist = await model.fit(x, y, {
      loss: "mse",
      optimizer: optim.sgd({ lr: 2 }),
      epochs: 30,
      ...quiet,
      callbacks: [{ onEpochEnd: () => void snapshots.push(weights()) }, best],
    });
    const losses = hist.get("loss");
    expect(hist.stopped).toBe("callback");
    expect(weights()).toEqual(snapshots[losses.indexOf(Math.min(...losses))]);
    expect(weights()).not.toEqual(snapshots[snapshots.length - 1]);
  });

  it("reduceLROnPlateau lowers the learning rate", async () => {
    const { x, y } = data.lectureXor();
    const seen: number[] = [];
    await net().fit(x, y, {
      loss: "mse",
      optimizer: optim.sgd({ lr: 0.1 }),
      epochs: 4,
      ...quiet,
      callbacks: [
        reduceLROnPlateau({ monitor: "loss", factor: 0.5, patience: 0, minDelta: 100 }),
        { onEpochEnd: (_e, _l, ctx) => void seen.push(ctx.learningRate()) },
      ],
    });
    expect(seen.map((v) => Number(v.toPrecision(6)))).toEqual([0.1, 0.05, 0.025, 0.0125]);
  });

  it("modelCheckpoint writes the state dict as JSON, which loads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "grafo-ckpt-"));
    const { x, y } = data.lectureXor();
    const model = net(1);
    await model.fit(x, y, {
      loss: "mse",
      epochs: 2,
      ...quiet,
      callbacks: [modelCheckpoint({ path: join(dir, "e{epoch}.json") })],
    });
    const saved = JSON.parse(readFileSync(join(dir, "e2.json"), "utf8"));
    expect(Object.keys(saved)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(saved["0.weight"].shape).toEqual([8, 2]);
    const other = net(9);
    other.loadStateDict(await train.loadCheckpoint(join(dir, "e2.json")));
    expect(Array.from(other.predict(x).data())).toEqual(Array.from(model.predict(x).data()));
  });

  it("stops on an AbortSignal after the current batch", async () => {
    const { x, y } = data.circle({ n: 64 });
    const controller = new AbortController();
    const h = await net().fit(x, y, {
      loss: "mse",
      epochs: 50,
      batchSize: 8,
      signal: controller.signal,
      ...quiet,
      callbacks: [{ onBatchEnd: (b) => void (b === 2 && controller.abort()) }],
    });
    expect(h.stopped).toBe("aborted");
    expect(h.epochs.length).toBeLessThanOrEqual(1);
  });

  it("a loss that becomes NaN or Inf stops with an error naming the epoch and batch", async () => {
    const x = tensor([
      [1e18, 1e18],
      [1e18, -1e18],
    ]);
    const y = tensor([[1], [0]]);
    await expect(
      nn
        .mlp([2, 1], { key: random.key(0) })
        .fit(x, y, { loss: "mse", optimizer: optim.sgd({ lr: 10 }), epochs: 5, batchSize: 1, ...quiet }),
    ).rejects.toThrow(/the loss became (NaN|Infinity) at epoch \d+, batch \d+;/);
  });

  it("bad data is refused before training with a clear error", async () => {
    const x = tensor([
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const ok = tensor([[1], [0], [1]]);
    const fit = (xx: Tensor, yy: Tensor, loss: nn.LossName = "mse", model: nn.Module = net()) =>
      model.fit(xx, yy, { loss, ...quiet });
    await expect(fit(x, tensor([[1], [0]]))).rejects.toThrow(/x has 3 samples \[3,2\] but y has 2/);
    await expect(fit(tensor([[0, 1, 2]]), tensor([[1]]))).rejects.toThrow(ShapeError);
    await expect(fit(tensor([[0, 1, 2]]), tensor([[1]]))).rejects.toThrow(
      /Linear\(in=2\) got input of shape \[2,3\]|\[1,3\]/,
    );
    await expect(
      fit(
        tensor([
          [0, Number.NaN],
          [1, 1],
          [0, 0],
        ]),
        ok,
      ),
    ).rejects.toThrow(/x holds NaN in sample 0/);
    await expect(fit(tensor([], [0, 2]), tensor([], [0, 1]))).rejects.toThrow(/empty/);
    const clf = nn.mlp([2, 3], { key: random.key(0) });
    await expect(
      fit(x, tensor([0, 1, 3], undefined, { dtype: "int32" }), "crossEntropy", clf),
    ).rejects.toThrow(/label 3 at index 2 is not a class id in \[0, 3\)/);
    await expect(fit(x, tensor([1, 0, 1]))).rejects.toThrow(
      /predictions \[3,1\] and targets \[3\] differ in shape/,
    );
    await expect(net().fit(x, ok, { loss: "mse", epochs: 0 })).rejects.toThrow(ArgumentError);
    await expect(net().fit(x, ok, { loss: "mse", validationSplit: 0.1, ...quiet })).rejects.toThrow(
      /validationSplit/,
    );
  });

  it("trains from a stream data set and updates batchNorm running statistics", async () => {
    const { x, y } = data.gauss({ n: 32, seed: 2 });
    const rows = Array.from({ length: 32 }, (_, i) => ({ x: x.index(i), y: y.index(i) }));
    const model = nn.sequential(
      nn.linear(2, 4, { key: random.key(0) }),
      nn.batchNorm(4),
      nn.relu(),
      nn.linear(4, 1, { key: random.key(1) }),
    );
    const before = Array.from(((model.buffers()["1"] as nn.ParamTree).runningMean as Tensor).data());
    const h = await model.fit(
      data.fromIterable(() => rows),
      { loss: "binaryCrossEntropyWithLogits", epochs: 2, batchSize: 8, ...quiet },
    );
    expect(h.epochs).toEqual([0, 1]);
    const after = Array.from(((model.buffers()["1"] as nn.ParamTree).runningMean as Tensor).data());
    expect(after).not.toEqual(before);
    expect(model.training).toBe(true);
  });
});

describe("compiled training", () => {
  it("compiled: true trains to the same weights as the eager step (batchNorm included)", async () => {
    const { x, y } = data.moons({ n: 96, noise: 0.1, seed: 3 });
    const trainOnce = async (compiled: boolean) => {
      // No bias before batchNorm (as usual): its gradient is exactly zero in
      // exact arithmetic, so in float32 it is rounding noise, which Adam
      // scales up to full steps; any other summation order (a backend's GEMM)
      // would then move it by O(lr).
      const model = nn.sequential(
        nn.linear(2, 8, { key: random.key(1), bias: false }),
        nn.batchNorm(8),
        nn.relu(),
        nn.linear(8, 1, { key: random.key(2) }),
      );
      const h = await model.fit(x, y, {
        loss: "binaryCrossEntropyWithLogits",
        optimizer: optim.adam({ lr: optim.cosineDecay({ lr: 0.02, decaySteps: 30 }) }),
        epochs: 4,
        batchSize: 40,
        seed: 2,
        compiled,
        ...quiet,
      });
      return { h, weights: Object.values(model.stateDict()).flatMap((t) => Array.from(t.data())) };
    };
    const eager = await trainOnce(false);
    const compiled = await trainOnce(true);
    expect(compiled.h.get("loss").length).toBe(4);
    compiled.weights.forEach((w, i) => {
      expect(Math.abs(w - eager.weights[i]!)).toBeLessThan(1e-5);
    });
  });

  it("a model with dropout trains compiled to exactly the eager weights (fresh masks every step, from the key)", async () => {
    const { x, y } = data.moons({ n: 32, seed: 1 });
    const run = async (compiled: boolean) => {
      const model = nn.sequential(
        nn.linear(2, 8, { key: random.key(1) }),
        nn.dropout(0.5),
        nn.linear(8, 1, { key: random.key(2) }),
      );
      await model.fit(x, y, {
        loss: "binaryCrossEntropyWithLogits",
        epochs: 2,
        batchSize: 8,
        compiled,
        ...quiet,
      });
      return model.namedParameters().flatMap(([, t]) => Array.from(t.data()));
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe("the training step", () => {
  it("is pure and equals grad + update by hand", () => {
    const model = net(3);
    const opt = optim.sgd({ lr: 0.1 });
    const step = makeTrainStep(model, nn.mse, opt);
    const { x, y } = data.lectureXor();
    const params = model.parameters();
    const state = opt.init(params);
    const [loss, p2, s2, aux] = step(params, state, x, y);
    expect(loss.item()).toBeCloseTo(nn.mse(model.call(x), y).item(), 6);
    expect(aux.output.shape).toEqual([4, 1]);
    expect(s2.step.item()).toBe(1);
    expect(state.step.item()).toBe(0);
    const w = (t: nn.ParamTree) => Array.from(((t["0"] as nn.ParamTree).weight as Tensor).data());
    expect(w(params)).toEqual(w(model.parameters()));
    expect(w(p2)).not.toEqual(w(params));
  });
});

describe("progress output", () => {
  it("writes one line per epoch when not on a terminal, nothing at verbose 0", async () => {
    const lines: string[] = [];
    const sink = { isTTY: false, write: (s: string) => void lines.push(s) };
    const cb = train.progress(1, sink);
    const ctx = { epochs: 2, batchesPerEpoch: 1 } as unknown as train.TrainContext;
    await cb.onTrainBegin?.(ctx);
    cb.onEpochBegin?.(0, ctx);
    cb.onBatchEnd?.(0, { loss: 0.5 }, ctx);
    cb.onEpochEnd?.(0, { loss: 0.5, accuracy: 0.75 }, ctx);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Epoch 1\/2 · loss 0\.5000 · accuracy 0\.7500 · \d+\.\ds\n$/);
    expect(train.progress(0, sink)).toEqual({});
  });
});
