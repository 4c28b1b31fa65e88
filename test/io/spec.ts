/**
 * Safetensors files built byte by byte from the format's specification, not
 * with grafo's writer: an 8-byte little-endian header length, the JSON
 * header, then the data.
 */
export function specFile(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  headerText?: string,
): Uint8Array {
  const text = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** Little-endian bytes of values written with a DataView setter. */
export function le(
  kind: "f32" | "f64" | "i32" | "i64" | "u16" | "u8",
  values: readonly number[],
): Uint8Array {
  const size = { f32: 4, f64: 8, i32: 4, i64: 8, u16: 2, u8: 1 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === "f32") v.setFloat32(i * 4, x, true);
    else if (kind === "f64") v.setFloat64(i * 8, x, true);
    else if (kind === "i32") v.setInt32(i * 4, x, true);
    else if (kind === "i64") v.setBigInt64(i * 8, BigInt(x), true);
    else if (kind === "u16") v.setUint16(i * 2, x, true);
    else v.setUint8(i, x);
  });
  return out;
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
