/**
 * The points a map of the plane is drawn from: the cell centres of a
 * side×side raster over the square [lo, hi]², row by row from the top (as a
 * canvas is), each point x₁, x₂ in turn.
 */
export function rasterPoints(side: number, lo: number, hi: number): Float32Array {
  const cell = (hi - lo) / side;
  return Float32Array.from({ length: side * side * 2 }, (_, i) => {
    const p = i >> 1;
    return i % 2 === 0 ? lo + ((p % side) + 0.5) * cell : hi - (Math.floor(p / side) + 0.5) * cell;
  });
}
