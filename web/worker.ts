/**
 * The training worker: grafo's compiled step runs here, off the page's main
 * thread, in slices of a few milliseconds; between slices it answers the page
 * (play, pause, step, a weight set by hand) and sends a snapshot whenever the
 * page has drawn the last one, so drawing never waits on training.
 */
import type { FromWorker, ToWorker } from "./protocol.js";
import { Trainer } from "./trainer.js";

const SLICE_MS = 8;

let trainer: Trainer | undefined;
let playing = false;
let wanted = false;
let scheduled = false;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

function guarded(f: () => void): void {
  try {
    f();
  } catch (e) {
    playing = false;
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
}

function sendSnapshot(): void {
  if (!trainer) return;
  wanted = false;
  post({ type: "snapshot", snapshot: trainer.snapshot(), playing });
}

function loop(): void {
  scheduled = false;
  guarded(() => {
    if (!trainer) return;
    if (playing) {
      const end = performance.now() + SLICE_MS;
      do trainer.trainStep();
      while (performance.now() < end);
    }
    if (wanted) sendSnapshot();
  });
  schedule();
}

function schedule(): void {
  if (scheduled || !(playing || wanted)) return;
  scheduled = true;
  setTimeout(loop, 0);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  guarded(() => {
    switch (m.type) {
      case "config":
        playing = false;
        trainer = new Trainer(m.state);
        post({
          type: "ready",
          points: trainer.points,
          sizes: trainer.sizes,
          featureMaps: trainer.featureMaps(),
          snapshot: trainer.snapshot(),
        });
        return;
      case "play":
        playing = true;
        break;
      case "pause":
        playing = false;
        wanted = true;
        break;
      case "step":
        playing = false;
        trainer?.trainStep();
        wanted = true;
        break;
      case "snapshot":
        wanted = true;
        break;
      case "setWeight":
        trainer?.setWeight(m.layer, m.to, m.from, m.value);
        wanted = true;
        break;
    }
    schedule();
  });
};
