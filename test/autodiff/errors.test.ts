/**
 * Errors a person can act on (DESIGN principle 6): the op the user called,
 * the shapes and dtypes involved; NaN debugging that names the first op;
 * tracers that escape their transformation.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as g from "../../src/index.js";
import {
  ArgumentError,
  add,
  DTypeError,
  debug,
  GrafoError,
  grad,
  jvp,
  matmul,
  NaNError,
  ones,
  ShapeError,
  type Tensor,
  tensor,
} from "../../src/index.js";

const f64 = (v: number[]) => tensor(v, undefined, { dtype: "float64" });

describe("shape errors name the op and the shapes", () => {
  it("matmul: inner dimensions", () => {
    expect(() => matmul(ones([2, 3]), ones([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(ones([2, 3]), ones([4, 5]))).toThrow(
      "matmul: inner dimensions differ: [2,3] @ [4,5]",
    );
    expect(() => matmul(ones([3]), ones([4]))).toThrow("matmul: inner dimensions differ: [3] @ [4]");
    expect(() => matmul(ones([2, 2, 3]), ones([3, 3, 2]))).toThrow(/matmul.*\[2\].*\[3\]/);
    expect(() => matmul(ones([]), ones([2]))).toThrow(ShapeError);
  });

  it("broadcasting", () => {
    expect(() => add(ones([2, 3]), ones([4]))).toThrow(
      "add: shapes [2,3] and [4] cannot be broadcast together",
    );
    expect(() => g.where(tensor([true, false]), ones([3]), 0)).toThrow(ShapeError);
  });

  it("reshape, concat, conv2d, tensor()", () => {
    expect(() => g.reshape(ones([3]), [2, 2])).toThrow("reshape: cannot reshape [3] (3 elements) to [2,2]");
    expect(() => g.concat([ones([1, 2]), ones([1, 3])], 0)).toThrow(
      "concat: shapes [1,2], [1,3] do not agree except on axis 0",
    );
    expect(() => g.conv2d(ones([1, 2, 4, 4]), ones([3, 1, 2, 2]))).toThrow(
      "conv2d: weights [3,1,2,2] must be [outChannels, 2, kh, kw] for input [1,2,4,4]",
    );
    expect(() => g.conv2d(ones([2, 4, 4]), ones([3, 2, 2, 2]))).toThrow(
      "conv2d: input must be NCHW (rank 4), got [2,4,4]",
    );
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
  });

  it("the message points at the caller's line", () => {
    expect(() => matmul(ones([2, 3]), ones([4, 5]))).toThrow(/called at .*errors\.test\.ts/);
  });
});

describe("every op that takes an axis names itself when the axis is out of range", () => {
  const x = ones([2, 3]);
  const cases: Record<string, () => unknown> = {
    sum: () => g.sum(x, 5),
    mean: () => g.mean(x, 5),
    prod: () => g.prod(x, 5),
    max: () => g.max(x, 5),
    min: () => g.min(x, 5),
    argmax: () => g.argmax(x, 5),
    argmin: () => g.argmin(x, 5),
    logSumExp: () => g.logSumExp(x, 5),
    variance: () => g.variance(x, 5),
    std: () => g.std(x, 5),
    norm: () => g.norm(x, 2, 5),
    all: () => g.all(x, 5),
    any: () => g.any(x, 5),
    cumsum: () => g.cumsum(x, 5),
    softmax: () => g.softmax(x, 5),
    logSoftmax: () => g.logSoftmax(x, 5),
    concat: () => g.concat([x, x], 5),
    split: () => g.split(x, 1, 5),
    squeeze: () => g.squeeze(x, 5),
    flip: () => g.flip(x, 5),
    gather: () => g.gather(x, [0], 5),
    scatterAdd: () => g.scatterAdd(x, [0], ones([2, 1]), 5),
    transpose: () => g.transpose(x, [0, 5]),
  };
  for (const [op, call] of Object.entries(cases)) {
    it(op, () => {
      expect(call).toThrow(ArgumentError);
      expect(call).toThrow(new RegExp(`^${op}: axis 5 is out of range for rank 2`));
    });
  }

  it("negative axes count from the end, and one too far is out of range", () => {
    expect(g.sum(x, -1).shape).toEqual([2]);
    expect(() => g.sum(x, -3)).toThrow("sum: axis -3 is out of range for rank 2");
    expect(() => g.sum(x, [0, 0])).toThrow("sum: repeated axis in [0,0]");
    expect(() => g.sum(x, 0.5)).toThrow("sum: axis must be an integer, got 0.5");
  });
});

describe("bad arguments", () => {
  it("a dtype string that does not exist", () => {
    for (const call of [
      () => tensor([1], undefined, { dtype: "float16" as never }),
      () => ones([1], "float16" as never),
      () => g.zeros([1], "float16" as never),
      () => g.full([1], 0, "float16" as never),
      () => g.cast(ones([1]), "float16" as never),
      () => g.arange(3, undefined, 1, "float16" as never),
    ]) {
      expect(call).toThrow(DTypeError);
      expect(call).toThrow(/unknown dtype "float16"; expected one of float32, float64, int32, bool/);
    }
  });

  it("things that are not tensors", () => {
    expect(() => add("x" as never, 1)).toThrow(
      "add: expected a Tensor, number, boolean or nested array, got string",
    );
    expect(() => g.exp(null as never)).toThrow(ArgumentError);
  });

  it("out-of-range indices, bad options", () => {
    expect(() => g.gather(f64([1, 2]), tensor([5], undefined, { dtype: "int32" }))).toThrow(
      "gather: index 5 is out of range for an axis of size 2",
    );
    expect(() => g.norm(ones([2]), -1)).toThrow(ArgumentError);
    expect(() => g.argmax(ones([0]))).toThrow(ShapeError);
    expect(() => g.clip(ones([2]), 1, 0)).toThrow("clip: min 1 must not exceed max 0");
  });

  it("grad: non-scalar output, non-float input, argnums out of range", () => {
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow(
      "grad: the function must return a scalar, got shape [2]; reduce it (e.g. .sum() or .mean()) first",
    );
    expect(() =>
      grad((x: Tensor) => x.sum().cast("float32"))(tensor([1, 2], undefined, { dtype: "int32" })),
    ).toThrow(DTypeError);
    expect(() => grad((x: Tensor) => x.sum(), 2)(f64([1]))).toThrow(
      "grad: argnums 2 is out of range for 1 arguments",
    );
    expect(() => jvp((x: Tensor) => x, [f64([1, 2])], [f64([1])])).toThrow(
      "jvp: tangent shape [1] differs from primal shape [2]",
    );
  });
});

describe("debug({ nanCheck: true })", () => {
  let restore: ReturnType<typeof debug> | undefined;
  afterEach(() => {
    if (restore) debug(restore);
    restore = undefined;
  });

  it("throws NaNError at the first op that makes NaN or Inf, naming it", () => {
    restore = debug({ nanCheck: true });
    const x = f64([-1, 1]);
    expect(() => x.log()).toThrow(NaNError);
    expect(() => x.log()).toThrow(
      "log: produced NaN at flat index 0 of a result of shape [2] (debug nanCheck)",
    );
    expect(() => x.div(0)).toThrow(/^div: produced -?Inf/);
    // the clean part of a computation runs as usual
    expect(x.exp().toArray()).toEqual([Math.exp(-1), Math.E]);
  });

  it("also inside a gradient, where the culprit is an op of a derivative rule", () => {
    restore = debug({ nanCheck: true });
    // d√x/dx = 0.5/√x is infinite at 0: the div inside sqrt's rule is named
    expect(() => grad((x: Tensor) => x.sqrt().sum())(f64([0, 1]))).toThrow(/^div: produced Inf/);
  });

  it("returns the previous settings, and NaN passes silently when it is off", () => {
    const before = debug({ nanCheck: true });
    expect(before.nanCheck).toBe(false);
    expect(debug(before).nanCheck).toBe(true);
    expect(Number.isNaN(f64([-1]).log().item())).toBe(true);
  });
});

describe("escaped tracers", () => {
  it("using a tensor from inside grad after grad returned is an error that says so", () => {
    let leaked: Tensor | undefined;
    grad((x: Tensor) => {
      leaked = x;
      return x.sum();
    })(f64([1, 2]));
    expect(() => leaked!.add(1)).toThrow(GrafoError);
    expect(() => leaked!.add(1)).toThrow(/used after that transformation ended \(it escaped/);
  });

  it("the same for jvp", () => {
    let leaked: Tensor | undefined;
    jvp(
      (x: Tensor) => {
        leaked = x.mul(2);
        return x;
      },
      [f64([1])],
      [f64([1])],
    );
    expect(() => leaked!.exp()).toThrow(/escaped/);
  });
});
