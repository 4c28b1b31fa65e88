/**
 * A small typed WebAssembly binary emitter.
 *
 * grafo generates its kernels at run time (specialised on dtype, on whether
 * relaxed SIMD exists, on the shape of a fused expression), so it needs to
 * write Wasm bytes itself: there is no build tool and no .wasm file to ship.
 * The emitter covers exactly what the kernels use: one imported memory,
 * functions with locals, structured control flow, scalar and SIMD128 ops.
 *
 * Every instruction is recorded twice: as bytes for the module, and as a WAT
 * line for `kernelSource`, so the debug dump is always the code that runs.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";

const VALTYPE_CODE: Readonly<Record<ValType, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

/** A SIMD opcode: the 0xFD prefix followed by the LEB128 sub-opcode. */
function simd(code: number): number[] {
  return [0xfd, ...uleb(code)];
}

/** Instructions with no immediate operand, keyed by their WAT name. */
const PLAIN_OPS = {
  unreachable: [0x00],
  nop: [0x01],
  return: [0x0f],
  drop: [0x1a],
  select: [0x1b],
  "i32.eqz": [0x45],
  "i32.eq": [0x46],
  "i32.ne": [0x47],
  "i32.lt_s": [0x48],
  "i32.lt_u": [0x49],
  "i32.gt_s": [0x4a],
  "i32.gt_u": [0x4b],
  "i32.le_s": [0x4c],
  "i32.le_u": [0x4d],
  "i32.ge_s": [0x4e],
  "i32.ge_u": [0x4f],
  "f32.eq": [0x5b],
  "f32.lt": [0x5d],
  "f32.gt": [0x5e],
  "i32.add": [0x6a],
  "i32.sub": [0x6b],
  "i32.mul": [0x6c],
  "i32.div_s": [0x6d],
  "i32.div_u": [0x6e],
  "i32.rem_u": [0x70],
  "i32.and": [0x71],
  "i32.or": [0x72],
  "i32.xor": [0x73],
  "i32.shl": [0x74],
  "i32.shr_s": [0x75],
  "i32.shr_u": [0x76],
  "f32.abs": [0x8b],
  "f32.neg": [0x8c],
  "f32.sqrt": [0x91],
  "f32.add": [0x92],
  "f32.sub": [0x93],
  "f32.mul": [0x94],
  "f32.div": [0x95],
  "f32.min": [0x96],
  "f32.max": [0x97],
  "f64.add": [0xa0],
  "f64.sub": [0xa1],
  "f64.mul": [0xa2],
  "f64.div": [0xa3],
  "f32.demote_f64": [0xb6],
  "f64.promote_f32": [0xbb],
  // SIMD128
  "i32x4.splat": simd(0x11),
  "f32x4.splat": simd(0x13),
  "f64x2.splat": simd(0x14),
  "i32x4.eq": simd(0x37),
  "i32x4.ne": simd(0x38),
  "i32x4.lt_s": simd(0x39),
  "i32x4.gt_s": simd(0x3b),
  "f32x4.eq": simd(0x41),
  "f32x4.ne": simd(0x42),
  "f32x4.lt": simd(0x43),
  "f32x4.gt": simd(0x44),
  "f32x4.le": simd(0x45),
  "f32x4.ge": simd(0x46),
  "v128.not": simd(0x4d),
  "v128.and": simd(0x4e),
  "v128.andnot": simd(0x4f),
  "v128.or": simd(0x50),
  "v128.xor": simd(0x51),
  "v128.bitselect": simd(0x52),
  "v128.any_true": simd(0x53),
  "f32x4.ceil": simd(0x67),
  "f32x4.floor": simd(0x68),
  "f32x4.trunc": simd(0x69),
  "f32x4.nearest": simd(0x6a),
  "i32x4.shl": simd(0xab),
  "i32x4.shr_s": simd(0xac),
  "i32x4.shr_u": simd(0xad),
  "i32x4.add": simd(0xae),
  "i32x4.sub": simd(0xb1),
  "i32x4.mul": simd(0xb5),
  "i32x4.min_s": simd(0xb6),
  "i32x4.max_s": simd(0xb8),
  "f32x4.abs": simd(0xe0),
  "f32x4.neg": simd(0xe1),
  "f32x4.sqrt": simd(0xe3),
  "f32x4.add": simd(0xe4),
  "f32x4.sub": simd(0xe5),
  "f32x4.mul": simd(0xe6),
  "f32x4.div": simd(0xe7),
  "f32x4.min": simd(0xe8),
  "f32x4.max": simd(0xe9),
  "f32x4.pmin": simd(0xea),
  "f32x4.pmax": simd(0xeb),
  "f64x2.abs": simd(0xec),
  "f64x2.neg": simd(0xed),
  "f64x2.add": simd(0xf0),
  "f64x2.sub": simd(0xf1),
  "f64x2.mul": simd(0xf2),
  "f64x2.div": simd(0xf3),
  "i32x4.trunc_sat_f32x4_s": simd(0xf8),
  "f32x4.convert_i32x4_s": simd(0xfa),
  // Relaxed SIMD: only emitted after feature detection succeeded.
  "f32x4.relaxed_madd": simd(0x105),
  "f64x2.relaxed_madd": simd(0x107),
} as const satisfies Record<string, readonly number[]>;

export type PlainOp = keyof typeof PLAIN_OPS;

/** Memory instructions: opcode bytes and natural alignment (log2 bytes). */
const MEM_OPS = {
  "i32.load": { code: [0x28], align: 2 },
  "f32.load": { code: [0x2a], align: 2 },
  "f64.load": { code: [0x2b], align: 3 },
  "i32.store": { code: [0x36], align: 2 },
  "f32.store": { code: [0x38], align: 2 },
  "f64.store": { code: [0x39], align: 3 },
  "v128.load": { code: simd(0x00), align: 4 },
  "v128.load32_splat": { code: simd(0x09), align: 2 },
  "v128.load64_splat": { code: simd(0x0a), align: 3 },
  "v128.store": { code: simd(0x0b), align: 4 },
} as const;

export type MemOp = keyof typeof MEM_OPS;

/** Lane instructions carry a lane index immediate. */
const LANE_OPS = {
  "i32x4.extract_lane": simd(0x1b),
  "f32x4.extract_lane": simd(0x1f),
  "f32x4.replace_lane": simd(0x20),
  "f64x2.extract_lane": simd(0x21),
} as const;

export type LaneOp = keyof typeof LANE_OPS;

// ---------------------------------------------------------------- encoding

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...uleb(bytes.length), ...bytes];
}

function rawBytes(write: (view: DataView) => void, size: number): number[] {
  const buf = new ArrayBuffer(size);
  write(new DataView(buf));
  return [...new Uint8Array(buf)];
}

// ---------------------------------------------------------------- functions

/** A local (or parameter) of a function under construction. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
  readonly name: string;
}

/**
 * Builds one function body. Methods push instructions and return `this`, so
 * straight-line code reads top to bottom like the WAT it produces.
 */
export class FunctionBuilder {
  readonly params: readonly Local[];
  private readonly locals: Local[] = [];
  private readonly code: number[] = [];
  private readonly text: string[] = [];
  private readonly prologueCode: number[] = [];
  private readonly prologueText: string[] = [];
  private readonly hoisted = new Map<string, Local>();
  private depth = 1;
  /**
   * When set, v128 constants become locals initialised once at function entry.
   * V8 re-materialises a v128.const inside a loop on every iteration (several
   * instructions each), which dominated the polynomial kernels.
   */
  hoistConstants = false;

  constructor(
    readonly index: number,
    readonly name: string,
    paramTypes: readonly (readonly [string, ValType])[],
    readonly results: readonly ValType[],
  ) {
    this.params = paramTypes.map(([n, type], index) => ({ index, type, name: n }));
  }

  /** The parameter called `name` (throws if absent: a generator bug). */
  param(name: string): Local {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new Error(`wasm emitter: ${this.name} has no parameter ${name}`);
    return p;
  }

  local(type: ValType, name = `l${this.locals.length}`): Local {
    const l = { index: this.params.length + this.locals.length, type, name };
    this.locals.push(l);
    return l;
  }

  private emit(bytes: readonly number[], wat: string): this {
    for (const b of bytes) this.code.push(b);
    this.text.push(`${"  ".repeat(this.depth)}${wat}`);
    return this;
  }

  private v128Const(bytes: readonly number[], wat: string): this {
    if (!this.hoistConstants) return this.emit([...simd(0x0c), ...bytes], wat);
    const key = bytes.join(",");
    let l = this.hoisted.get(key);
    if (!l) {
      l = this.local("v128", `k${this.hoisted.size}`);
      this.hoisted.set(key, l);
      this.prologueCode.push(...simd(0x0c), ...bytes, 0x21, ...uleb(l.index));
      this.prologueText.push(`  ${wat}`, `  local.set $${l.name}`);
    }
    return this.get(l);
  }

  op(name: PlainOp): this {
    return this.emit(PLAIN_OPS[name], name);
  }

  i32(value: number): this {
    return this.emit([0x41, ...sleb(value)], `i32.const ${value | 0}`);
  }

  f32(value: number): this {
    const bytes = rawBytes((v) => v.setFloat32(0, value, true), 4);
    return this.emit([0x43, ...bytes], `f32.const ${Math.fround(value)}`);
  }

  f64(value: number): this {
    const bytes = rawBytes((v) => v.setFloat64(0, value, true), 8);
    return this.emit([0x44, ...bytes], `f64.const ${value}`);
  }

  /** v128.const from four f32 lanes (use the same value for a splat constant). */
  v128f32(a: number, b = a, c = a, d = a): this {
    const bytes = rawBytes((v) => {
      [a, b, c, d].forEach((x, i) => {
        v.setFloat32(4 * i, x, true);
      });
    }, 16);
    const lanes = [a, b, c, d].map((x) => Math.fround(x)).join(" ");
    return this.v128Const(bytes, `v128.const f32x4 ${lanes}`);
  }

  /** v128.const from four i32 lanes. */
  v128i32(a: number, b = a, c = a, d = a): this {
    const bytes = rawBytes((v) => {
      [a, b, c, d].forEach((x, i) => {
        v.setInt32(4 * i, x, true);
      });
    }, 16);
    return this.v128Const(bytes, `v128.const i32x4 ${a | 0} ${b | 0} ${c | 0} ${d | 0}`);
  }

  get(l: Local): this {
    return this.emit([0x20, ...uleb(l.index)], `local.get $${l.name}`);
  }

  set(l: Local): this {
    return this.emit([0x21, ...uleb(l.index)], `local.set $${l.name}`);
  }

  tee(l: Local): this {
    return this.emit([0x22, ...uleb(l.index)], `local.tee $${l.name}`);
  }

  /** Memory access; `offset` is a constant byte offset folded into the instruction. */
  load(op: MemOp, offset = 0): this {
    return this.memOp(op, offset);
  }

  store(op: MemOp, offset = 0): this {
    return this.memOp(op, offset);
  }

  private memOp(op: MemOp, offset: number): this {
    const { code, align } = MEM_OPS[op];
    const wat = offset ? `${op} offset=${offset}` : op;
    return this.emit([...code, ...uleb(align), ...uleb(offset)], wat);
  }

  lane(op: LaneOp, lane: number): this {
    return this.emit([...LANE_OPS[op], lane], `${op} ${lane}`);
  }

  call(fn: FunctionBuilder): this {
    return this.emit([0x10, ...uleb(fn.index)], `call $${fn.name}`);
  }

  br(depth: number): this {
    return this.emit([0x0c, ...uleb(depth)], `br ${depth}`);
  }

  brIf(depth: number): this {
    return this.emit([0x0d, ...uleb(depth)], `br_if ${depth}`);
  }

  /** `block ... end`; a `br 0` inside jumps past the end. */
  block(body: () => void): this {
    return this.structured(0x02, "block", body);
  }

  /** `loop ... end`; a `br 0` inside jumps back to the start. */
  loop(body: () => void): this {
    return this.structured(0x03, "loop", body);
  }

  /** `if ... (else ...) end` consuming an i32 condition. */
  if(then: () => void, otherwise?: () => void): this {
    this.emit([0x04, 0x40], "if");
    this.depth++;
    then();
    if (otherwise) {
      this.depth--;
      this.emit([0x05], "else");
      this.depth++;
      otherwise();
    }
    this.depth--;
    return this.emit([0x0b], "end");
  }

  private structured(opcode: number, wat: string, body: () => void): this {
    this.emit([opcode, 0x40], wat);
    this.depth++;
    body();
    this.depth--;
    return this.emit([0x0b], "end");
  }

  /**
   * `for (i = start; i < end; i += step)` with the test at the top; `end` and
   * `step` are locals or constants. Inside `body`, `br 1` continues, `br 2` breaks.
   */
  forRange(i: Local, start: Local | number, end: Local | number, step: number, body: () => void): this {
    this.push(start).set(i);
    return this.block(() =>
      this.loop(() => {
        this.get(i).push(end).op("i32.ge_s").brIf(1);
        this.block(body);
        this.get(i).i32(step).op("i32.add").set(i).br(0);
      }),
    );
  }

  /** Pushes a local's value or an i32 constant. */
  push(v: Local | number): this {
    return typeof v === "number" ? this.i32(v) : this.get(v);
  }

  /** `dst = a + b` for i32 locals/constants. */
  add(dst: Local, a: Local | number, b: Local | number): this {
    return this.push(a).push(b).op("i32.add").set(dst);
  }

  /** The body bytes (locals declaration + code + end) for the code section. */
  bodyBytes(): number[] {
    const groups: number[] = [];
    let count = 0;
    for (let i = 0; i < this.locals.length; i++) {
      const t = this.locals[i]?.type;
      count++;
      if (t !== this.locals[i + 1]?.type && t !== undefined) {
        groups.push(...uleb(count), VALTYPE_CODE[t]);
        count = 0;
      }
    }
    const nGroups = groups.length / 2;
    const body = [...uleb(nGroups), ...groups, ...this.prologueCode];
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    return [...uleb(body.length), ...body];
  }

  typeKey(): string {
    return `${this.params.map((p) => p.type).join(",")}->${this.results.join(",")}`;
  }

  toText(): string {
    const params = this.params.map((p) => `(param $${p.name} ${p.type})`).join(" ");
    const results = this.results.map((r) => `(result ${r})`).join(" ");
    const locals = this.locals.map((l) => `  (local $${l.name} ${l.type})`);
    const head = `(func $${this.name} ${params} ${results}`.trimEnd();
    return [head, ...locals, ...this.prologueText, ...this.text, ")"].join("\n");
  }
}

// ---------------------------------------------------------------- modules

export interface MemoryImport {
  /** Shared memories are what lets worker threads run kernels on the same data. */
  readonly shared: boolean;
  readonly minPages: number;
  /** Required by Wasm for shared memories. */
  readonly maxPages?: number;
}

/**
 * A module that imports `env.memory` and defines functions. Functions are
 * numbered in creation order, so `call` can target one whose body is built later.
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];
  private readonly exported = new Set<FunctionBuilder>();

  constructor(private readonly memory: MemoryImport) {}

  func(
    name: string,
    params: readonly (readonly [string, ValType])[],
    results: readonly ValType[] = [],
    options: { exported?: boolean } = {},
  ): FunctionBuilder {
    const f = new FunctionBuilder(this.functions.length, name, params, results);
    this.functions.push(f);
    if (options.exported ?? true) this.exported.add(f);
    return f;
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const typeKeys: string[] = [];
    const typeEntries: number[][] = [];
    const typeOf = this.functions.map((f) => {
      const key = f.typeKey();
      let idx = typeKeys.indexOf(key);
      if (idx < 0) {
        idx = typeKeys.length;
        typeKeys.push(key);
        typeEntries.push([
          0x60,
          ...uleb(f.params.length),
          ...f.params.map((p) => VALTYPE_CODE[p.type]),
          ...uleb(f.results.length),
          ...f.results.map((r) => VALTYPE_CODE[r]),
        ]);
      }
      return idx;
    });
    const mem = this.memory;
    const limits =
      mem.maxPages === undefined
        ? [0x00, ...uleb(mem.minPages)]
        : [mem.shared ? 0x03 : 0x01, ...uleb(mem.minPages), ...uleb(mem.maxPages)];
    const exports = this.functions.filter((f) => this.exported.has(f));
    const parts = [
      [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      section(1, vec(typeEntries)),
      section(2, vec([[...utf8("env"), ...utf8("memory"), 0x02, ...limits]])),
      section(3, vec(typeOf.map((t) => uleb(t)))),
      section(7, vec(exports.map((f) => [...utf8(f.name), 0x00, ...uleb(f.index)]))),
      section(10, vec(this.functions.map((f) => f.bodyBytes()))),
    ];
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  toText(): string {
    const mem = this.memory;
    const limits = `${mem.minPages}${mem.maxPages === undefined ? "" : ` ${mem.maxPages}`}${mem.shared ? " shared" : ""}`;
    const lines = [`(module`, `  (import "env" "memory" (memory ${limits}))`];
    for (const f of this.functions) {
      lines.push(indent(f.toText()));
      if (this.exported.has(f)) lines.push(`  (export "${f.name}" (func $${f.name}))`);
    }
    lines.push(")");
    return lines.join("\n");
  }
}

function vec(items: readonly (readonly number[])[]): number[] {
  const out = uleb(items.length);
  for (const item of items) for (const b of item) out.push(b);
  return out;
}

function section(id: number, content: readonly number[]): number[] {
  const out = [id, ...uleb(content.length)];
  for (const b of content) out.push(b);
  return out;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
