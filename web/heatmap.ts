/**
 * Heat maps: values in [−1, 1] as the TensorFlow Playground colours them,
 * orange for −1 through near-white for 0 to blue for +1. Shared by the
 * boundary, every neuron's map and the loss surfaces.
 */

const NEGATIVE = [245, 147, 34] as const;
const ZERO = [236, 238, 240] as const;
const POSITIVE = [8, 119, 189] as const;

/** The colour of a value (clipped to [−1, 1]) as r, g, b. */
export function colourOf(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return [
    ZERO[0] + (end[0] - ZERO[0]) * a,
    ZERO[1] + (end[1] - ZERO[1]) * a,
    ZERO[2] + (end[2] - ZERO[2]) * a,
  ];
}

export const cssColour = (v: number): string => `rgb(${colourOf(v).map(Math.round).join(",")})`;

const images = new WeakMap<HTMLCanvasElement, ImageData>();

/**
 * Paints a side×side map (row by row from the top) onto a canvas whose
 * bitmap is side×side pixels; CSS scales it to the size shown.
 */
export function paintMap(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  side: number,
  scale = 1,
): void {
  if (canvas.width !== side || canvas.height !== side) {
    canvas.width = side;
    canvas.height = side;
  }
  const ctx = canvas.getContext("2d")!;
  // One pixel buffer per canvas, reused: maps are repainted every frame while training.
  let image = images.get(canvas);
  if (image?.width !== side) {
    image = ctx.createImageData(side, side);
    images.set(canvas, image);
  }
  for (let i = 0; i < side * side; i++) {
    const [r, g, b] = colourOf(values[i]! * scale);
    image.data[4 * i] = r;
    image.data[4 * i + 1] = g;
    image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
