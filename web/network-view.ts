/**
 * The network drawn as the TensorFlow Playground draws it: a column per layer,
 * each neuron a small heat map of its output over the input plane, and links
 * whose width is |weight| and colour its sign. Links can be read (hover or
 * focus) and set (click or Enter).
 */
import { cssColour, paintMap } from "./heatmap.js";
import { GRID, type Snapshot } from "./protocol.js";
import { FEATURE_LABELS, FEATURES, type FeatureName, MAX_WIDTH } from "./state.js";

export interface NetworkCallbacks {
  toggleFeature(f: FeatureName): void;
  resizeLayer(layer: number, delta: 1 | -1): void;
  setWeight(layer: number, to: number, from: number, value: number): void;
}

const SVG = "http://www.w3.org/2000/svg";

export class NetworkView {
  /** Neuron canvases by layer (layer 0: the features in use). */
  private canvases: HTMLCanvasElement[][] = [];
  /** Every feature's canvas, used or not. */
  private featureCanvases: HTMLCanvasElement[] = [];
  private links: SVGPathElement[][] = [];
  private sizes: number[] = [];
  private last: Snapshot | undefined;
  private readonly svg: SVGSVGElement;
  private readonly columns: HTMLDivElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly on: NetworkCallbacks,
  ) {
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.classList.add("links");
    this.columns = document.createElement("div");
    this.columns.className = "columns";
    root.replaceChildren(this.svg, this.columns);
    new ResizeObserver(() => this.placeLinks()).observe(root);
  }

  /** Rebuilds the columns for a network of these widths over these features, and paints the features' maps. */
  build(
    features: readonly FeatureName[],
    hidden: readonly number[],
    featureMaps: readonly Float32Array[],
  ): void {
    this.sizes = [features.length, ...hidden, 1];
    this.canvases = [];
    this.featureCanvases = [];
    const columns: HTMLElement[] = [];

    const inputs = this.column(`${features.length} features`);
    const used: HTMLCanvasElement[] = [];
    for (const f of FEATURES) {
      const on = features.includes(f);
      const b = document.createElement("button");
      b.className = "feature";
      b.setAttribute("aria-pressed", String(on));
      b.setAttribute("aria-label", `feature ${FEATURE_LABELS[f]}: ${on ? "in use" : "not used"}`);
      b.innerHTML = `<span class="name">${FEATURE_LABELS[f]}</span>`;
      const box = this.neuron(on ? `feature-${f}` : undefined);
      b.append(box);
      this.featureCanvases.push(box.querySelector("canvas")!);
      b.addEventListener("click", () => this.on.toggleFeature(f));
      inputs.body.append(b);
      if (on) used.push(box.querySelector("canvas")!);
    }
    this.canvases.push(used);
    columns.push(inputs.el);

    hidden.forEach((width, l) => {
      const col = this.column(`${width} neuron${width === 1 ? "" : "s"}`, l + 1);
      const cells: HTMLCanvasElement[] = [];
      for (let j = 0; j < width; j++) {
        const box = this.neuron(`neuron-${l + 1}-${j}`);
        col.body.append(box);
        cells.push(box.querySelector("canvas")!);
      }
      this.canvases.push(cells);
      columns.push(col.el);
    });

    const out = this.column("output");
    const box = this.neuron("neuron-out");
    out.body.append(box);
    this.canvases.push([box.querySelector("canvas")!]);
    columns.push(out.el);
    this.columns.replaceChildren(...columns);
    this.featureCanvases.forEach((c, k) => {
      paintMap(c, featureMaps[k]!, GRID);
    });
    this.makeLinks();
    this.placeLinks();
    if (this.last) this.update(this.last);
  }

  private column(title: string, hiddenLayer?: number): { el: HTMLElement; body: HTMLElement } {
    const el = document.createElement("div");
    el.className = "layer";
    const head = document.createElement("div");
    head.className = "layer-head";
    if (hiddenLayer !== undefined) {
      const width = this.sizes[hiddenLayer]!;
      for (const [delta, sign] of [
        [1, "+"],
        [-1, "−"],
      ] as const) {
        const b = document.createElement("button");
        b.textContent = sign;
        b.setAttribute(
          "aria-label",
          `${delta > 0 ? "add a neuron to" : "remove a neuron from"} hidden layer ${hiddenLayer}`,
        );
        b.disabled = delta > 0 ? width >= MAX_WIDTH : width <= 1;
        b.addEventListener("click", () => this.on.resizeLayer(hiddenLayer - 1, delta));
        head.append(b);
      }
      head.append(document.createElement("br"));
    }
    head.append(title);
    const body = document.createElement("div");
    body.className = "neurons";
    el.append(head, body);
    return { el, body };
  }

  private neuron(id: string | undefined): HTMLElement {
    const box = document.createElement("div");
    box.className = "neuron";
    const c = document.createElement("canvas");
    c.width = GRID;
    c.height = GRID;
    if (id) c.dataset.neuron = id;
    box.append(c);
    return box;
  }

  private makeLinks(): void {
    this.svg.replaceChildren();
    this.links = [];
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const layer: SVGPathElement[] = [];
      for (let to = 0; to < this.sizes[l + 1]!; to++)
        for (let from = 0; from < this.sizes[l]!; from++) {
          const p = document.createElementNS(SVG, "path");
          p.setAttribute("tabindex", "0");
          p.setAttribute("role", "button");
          p.dataset.link = `${l}:${to}:${from}`;
          p.append(document.createElementNS(SVG, "title"));
          const read = () => this.describe(p, l, to, from);
          p.addEventListener("pointerenter", read);
          p.addEventListener("focus", read);
          p.addEventListener("click", () => this.edit(p, l, to, from));
          p.addEventListener("keydown", (e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              this.edit(p, l, to, from);
            }
          });
          this.svg.append(p);
          layer.push(p);
        }
      this.links.push(layer);
    }
  }

  private weight(l: number, to: number, from: number): number {
    return this.last?.weights[l]?.[to * this.sizes[l]! + from] ?? 0;
  }

  private describe(p: SVGPathElement, l: number, to: number, from: number): void {
    const text = `weight ${this.weight(l, to, from).toFixed(3)} (layer ${l + 1}, neuron ${from + 1} → ${to + 1})`;
    p.querySelector("title")!.textContent = text;
    p.setAttribute("aria-label", text);
  }

  /** A small form beside the link: type a weight, Enter sets it, Escape leaves it. */
  private edit(p: SVGPathElement, l: number, to: number, from: number): void {
    this.root.querySelector("#weight-editor")?.remove();
    const form = document.createElement("form");
    form.id = "weight-editor";
    const input = document.createElement("input");
    input.type = "number";
    input.step = "0.1";
    input.value = this.weight(l, to, from).toFixed(3);
    input.setAttribute("aria-label", `new weight for layer ${l + 1}, neuron ${from + 1} → ${to + 1}`);
    const ok = document.createElement("button");
    ok.textContent = "Set";
    form.append(input, ok);
    const box = p.getBBox();
    form.style.left = `${box.x + box.width / 2}px`;
    form.style.top = `${box.y + box.height / 2}px`;
    const close = () => {
      form.remove();
      p.focus();
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const v = Number(input.value);
      if (input.value.trim() !== "" && Number.isFinite(v)) this.on.setWeight(l, to, from, v);
      close();
    });
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") close();
    });
    this.root.append(form);
    input.focus();
    input.select();
  }

  /** Link paths from each neuron's right edge to the next layer's left edges. */
  private placeLinks(): void {
    if (this.canvases.length === 0) return;
    const base = this.root.getBoundingClientRect();
    const at = (c: HTMLCanvasElement, side: "left" | "right") => {
      const r = c.getBoundingClientRect();
      return [
        (side === "left" ? r.left : r.right) - base.left + this.root.scrollLeft,
        r.top + r.height / 2 - base.top,
      ];
    };
    this.svg.setAttribute("width", String(this.root.scrollWidth));
    this.svg.setAttribute("height", String(this.root.scrollHeight));
    this.links.forEach((layer, l) => {
      for (const p of layer) {
        const [, to, from] = p.dataset.link!.split(":").map(Number) as [number, number, number];
        const [x0, y0] = at(this.canvases[l]![from]!, "right");
        const [x1, y1] = at(this.canvases[l + 1]![to]!, "left");
        const mx = (x0! + x1!) / 2;
        p.setAttribute("d", `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
      }
    });
  }

  /** Paints every neuron's map and restyles every link from a snapshot. */
  update(s: Snapshot): void {
    this.last = s;
    s.maps.forEach((layer, l) => {
      layer.forEach((map, j) => {
        const c = this.canvases[l + 1]?.[j];
        if (c) paintMap(c, map, GRID);
      });
    });
    this.links.forEach((layer, l) => {
      for (const p of layer) {
        const [, to, from] = p.dataset.link!.split(":").map(Number) as [number, number, number];
        const w = this.weight(l, to, from);
        const colour = cssColour(Math.sign(w) * Math.min(1, 0.35 + Math.abs(w)));
        const width = (Math.round(Math.min(8, 0.5 + 2.5 * Math.abs(w)) * 4) / 4).toString();
        // Only what changed is set: every attribute set restyles the drawing.
        if (p.getAttribute("stroke") !== colour) p.setAttribute("stroke", colour);
        if (p.getAttribute("stroke-width") !== width) p.setAttribute("stroke-width", width);
      }
    });
  }
}
