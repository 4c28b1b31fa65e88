/**
 * Training as the worker runs it: the data set split into train and test,
 * the network's layers, and one compiled step (loss, gradient, optimizer
 * update traced once by grafo and then run as a plan) per batch.
 */
import { compile, data, optim, random, type Tensor, tensor, valueAndGrad } from "../src/index.js";
import {
  dataLoss,
  featureColumns,
  forwardAll,
  initialLayers,
  type Layer,
  penalty,
  withWeight,
} from "./network.js";
import { GRID, type Points, type Snapshot } from "./protocol.js";
import { rasterPoints } from "./raster.js";
import { FEATURES, type PlaygroundState } from "./state.js";

type Step = (
  layers: Layer[],
  state: optim.OptState,
  x: Tensor,
  y: Tensor,
) => [Tensor, Layer[], optim.OptState];

/** The points of the plane the maps are drawn from: [−extent, extent]² on the GRID×GRID raster. */
export const gridPoints = (extent: number): Tensor =>
  tensor(rasterPoints(GRID, -extent, extent), [GRID * GRID, 2]);

/** Raw points and ±1 labels of the chosen data set, split into train and test. */
export function makePoints(s: PlaygroundState): Points {
  const { x, y } =
    s.data === "lecture"
      ? data.lectureXor()
      : data[s.data]({ n: s.points, noise: s.noise, seed: s.seed, labels: "pm1" });
  const xs = x.data() as Float32Array;
  const ys = y.data() as Float32Array;
  const n = ys.length;
  // Four points cannot be split: the lecture's XOR is trained and tested on all of them.
  const nTrain =
    s.data === "lecture" ? n : Math.min(n - 1, Math.max(1, Math.round((n * s.trainRatio) / 100)));
  const testFrom = s.data === "lecture" ? 0 : nTrain;
  let extent = 0;
  for (const v of xs) extent = Math.max(extent, Math.abs(v));
  return {
    extent: Math.ceil(extent * 1.1 * 10) / 10,
    trainX: Float32Array.from(xs.subarray(0, 2 * nTrain)),
    trainY: Float32Array.from(ys.subarray(0, nTrain)),
    testX: Float32Array.from(xs.subarray(2 * testFrom)),
    testY: Float32Array.from(ys.subarray(testFrom)),
  };
}

export class Trainer {
  readonly points: Points;
  readonly sizes: number[];
  layers: Layer[];
  epoch = 0;
  steps = 0;
  private optState: optim.OptState;
  private readonly step: Step;
  private readonly evaluate: (layers: Layer[], x: Tensor, y: Tensor) => Tensor;
  private readonly maps: (layers: Layer[]) => Tensor[];
  private readonly trainFeatures: Float32Array;
  private readonly train: { x: Tensor; y: Tensor };
  private readonly test: { x: Tensor; y: Tensor };
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;

  constructor(readonly state: PlaygroundState) {
    const s = state;
    this.points = makePoints(s);
    const nTrain = this.points.trainY.length;
    this.train = {
      x: featureColumns(tensor(this.points.trainX, [nTrain, 2]), s.features),
      y: tensor(this.points.trainY, [nTrain, 1]),
    };
    const nTest = this.points.testY.length;
    this.test = {
      x: featureColumns(tensor(this.points.testX, [nTest, 2]), s.features),
      y: tensor(this.points.testY, [nTest, 1]),
    };
    this.trainFeatures = this.train.x.data() as Float32Array;
    this.sizes = [s.features.length, ...s.hidden, 1];
    this.layers = initialLayers(this.sizes, s.seed);
    for (const [layer, to, from, value] of s.edits)
      this.layers = withWeight(this.layers, layer, to, from, value);

    const opt = s.optimizer === "adam" ? optim.adam({ lr: s.lr }) : optim.sgd({ lr: s.lr });
    const lossOf = (layers: Layer[], x: Tensor, y: Tensor) =>
      dataLoss(forwardAll(layers, x, s.activation).at(-1)!, y, s.problem);
    const objective = (layers: Layer[], x: Tensor, y: Tensor) => {
      const data = lossOf(layers, x, y);
      const reg = penalty(layers, s);
      return reg ? data.add(reg) : data;
    };
    const vg = valueAndGrad(objective);
    this.step = compile(
      (layers: Layer[], state: optim.OptState, x: Tensor, y: Tensor): [Tensor, Layer[], optim.OptState] => {
        const [, g] = vg(layers, x, y);
        const next = opt.update(g, state, layers);
        // The loss reported is the data loss, as the TensorFlow Playground reports it (the penalty aside).
        return [lossOf(layers, x, y), next.params, next.state];
      },
    );
    this.optState = opt.init(this.layers);
    this.evaluate = compile(lossOf);
    const grid = featureColumns(gridPoints(this.points.extent), s.features);
    this.maps = compile((layers: Layer[]) => {
      const outs = forwardAll(layers, grid, s.activation).slice(1);
      const score = outs.pop()!;
      // Classification shows the probability of the +1 class as 2p − 1, in [−1, 1] like every other map.
      return [...outs, s.problem === "classification" ? score.sigmoid().mul(2).sub(1) : score];
    });
  }

  /** The next batch's rows: a fresh permutation of the training set each epoch. */
  private nextBatch(): { x: Tensor; y: Tensor } {
    const n = this.points.trainY.length;
    const f = this.state.features.length;
    const size = Math.min(this.state.batch, n);
    const xb = new Float32Array(size * f);
    const yb = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      if (this.cursor >= this.order.length) {
        if (this.order.length > 0) this.epoch++;
        this.order = random
          .permutation(random.key(this.state.seed * 7919 + this.epoch), n)
          .data() as Int32Array;
        this.cursor = 0;
      }
      const row = this.order[this.cursor++]!;
      xb.set(this.trainFeatures.subarray(row * f, row * f + f), k * f);
      yb[k] = this.points.trainY[row]!;
    }
    return { x: tensor(xb, [size, f]), y: tensor(yb, [size, 1]) };
  }

  /** One optimizer step on one batch. */
  trainStep(): void {
    const { x, y } = this.nextBatch();
    const [, layers, state] = this.step(this.layers, this.optState, x, y);
    this.layers = layers;
    this.optState = state;
    this.steps++;
    // An epoch is done when the permutation is used up (counted as the next batch starts a new one).
    if (this.cursor >= this.order.length) {
      this.epoch++;
      this.order = new Int32Array(0);
    }
  }

  setWeight(layer: number, to: number, from: number, value: number): void {
    this.layers = withWeight(this.layers, layer, to, from, value);
  }

  /** Every feature over the plane (used or not), each relative to its largest value (x₁ spans ±extent, x₁² extent²). */
  featureMaps(): Float32Array[] {
    const values = featureColumns(gridPoints(this.points.extent), FEATURES).data() as Float32Array;
    return FEATURES.map((_, j) => {
      const map = new Float32Array(GRID * GRID);
      let top = 1e-9;
      for (let i = 0; i < map.length; i++)
        top = Math.max(top, Math.abs((map[i] = values[i * FEATURES.length + j]!)));
      return map.map((v) => v / top);
    });
  }

  snapshot(): Snapshot {
    const maps = this.maps(this.layers).map((m, l) => {
      const width = this.sizes[l + 1]!;
      const values = m.data() as Float32Array;
      return Array.from({ length: width }, (_, j) => {
        const map = new Float32Array(GRID * GRID);
        for (let i = 0; i < map.length; i++) map[i] = values[i * width + j]!;
        return map;
      });
    });
    return {
      epoch: this.epoch,
      steps: this.steps,
      trainLoss: this.evaluate(this.layers, this.train.x, this.train.y).item(),
      testLoss: this.evaluate(this.layers, this.test.x, this.test.y).item(),
      weights: this.layers.map((l) => Float32Array.from(l.w.data())),
      biases: this.layers.map((l) => Float32Array.from(l.b.data())),
      maps,
    };
  }
}
