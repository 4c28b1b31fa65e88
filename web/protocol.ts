/** Messages between the page and the training worker (web/worker.ts). */
import type { PlaygroundState } from "./state.js";

/** The plane shown is [−extent, extent]², sampled on a GRID×GRID raster of cell centres, row by row from the top. */
export const GRID = 50;

export type ToWorker =
  | { type: "config"; state: PlaygroundState }
  | { type: "play" }
  | { type: "pause" }
  /** Train on one batch, then send a snapshot. */
  | { type: "step" }
  /** Send a snapshot when the next training slice is done (the page drew the last one). */
  | { type: "snapshot" }
  | { type: "setWeight"; layer: number; to: number; from: number; value: number };

/** The data set as the page draws it: raw 2-D points with ±1 labels. */
export interface Points {
  extent: number;
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
}

export interface Snapshot {
  epoch: number;
  steps: number;
  trainLoss: number;
  testLoss: number;
  /** Every layer's weight matrix, row-major [to][from]. */
  weights: Float32Array[];
  biases: Float32Array[];
  /**
   * Each neuron's output over the grid, one GRID×GRID map per neuron, layer by
   * layer after the features: the hidden layers, the output last (classification: 2p − 1).
   */
  maps: Float32Array[][];
}

export type FromWorker =
  | {
      type: "ready";
      points: Points;
      sizes: number[];
      /** Every feature's map (FEATURES order, used or not), relative to its largest value: they never change. */
      featureMaps: Float32Array[];
      snapshot: Snapshot;
    }
  | { type: "snapshot"; snapshot: Snapshot; playing: boolean }
  | { type: "error"; message: string };
