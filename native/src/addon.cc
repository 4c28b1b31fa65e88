// The N-API surface of grafo_native.node: thin argument checking around the
// kernels in kernels.h. Tensors arrive as typed arrays plus offsets and
// strides, and the kernels read and write their memory directly (no copies).
// Every index a kernel could touch is bounds-checked here first, so a wrong
// stride from JavaScript is a RangeError, never a crash.
//
// The functions, as src/backends/native/addon.ts types them:
//   gemm(a, b, c, offA, offB, offC, m, n, k, rsA, csA, rsB, csB, ldc, accumulate[, bias, biasOff, act])
//   softmax(x, xOff, out, outOff, rows, cols, log)
//   chain(x, out, m, softmax, spec, b0, bias0, b1, bias1, ...)   (dense layers row block by row block)
//   windows(src, srcOff, dst, dstOff, dims, adjoint)   (im2col, or col2im when adjoint)
//   unary(op, x, xOff, out, outOff, n, alpha, beta)
//   binary(op, out, outOff, rows, cols, a, aOff, aMode, b, bOff, bMode)
//   compare(op, out, outOff, rows, cols, a, aOff, aMode, b, bOff, bMode)   (out: a Uint8Array mask)
//   where(out, outOff, rows, cols, c, cOff, a, aOff, aMode, b, bOff, bMode)
//   reduce(op, x, xOff, out, outOff, rows, cols)
//   setThreads(n), threads(), isa(), setIsa(name), isaSupported(name)
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace grafo {
namespace {

// A pending JavaScript exception makes every helper below return false, and
// the entry point then returns nullptr to let it propagate.
bool fail(napi_env env, const std::string& msg, bool range = false) {
  if (range) napi_throw_range_error(env, nullptr, msg.c_str());
  else napi_throw_type_error(env, nullptr, msg.c_str());
  return false;
}

struct Args {
  napi_env env;
  const char* fn;
  size_t argc = 40;  // room for a chain of kMaxChain layers
  napi_value argv[40];

  bool init(napi_callback_info info, size_t expected) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
    if (argc < expected)
      return fail(env, std::string(fn) + ": expected " + std::to_string(expected) + " arguments, got " +
                           std::to_string(argc));
    return true;
  }

  bool integer(size_t i, int64_t* out) {
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok || !std::isfinite(d) || d != std::floor(d))
      return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be an integer");
    *out = static_cast<int64_t>(d);
    return true;
  }

  bool number(size_t i, double* out) {
    if (napi_get_value_double(env, argv[i], out) != napi_ok)
      return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be a number");
    return true;
  }

  bool boolean(size_t i, bool* out) {
    if (napi_get_value_bool(env, argv[i], out) != napi_ok)
      return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be a boolean");
    return true;
  }

  bool string(size_t i, std::string* out) {
    char buf[32];
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[i], buf, sizeof buf, &len) != napi_ok)
      return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be a string");
    out->assign(buf, len);
    return true;
  }

  // A Float32Array or Float64Array (or, for offsets, any of them): data and length in elements.
  bool array(size_t i, napi_typedarray_type* type, void** data, int64_t* length) {
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    if (!is) return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be a typed array");
    size_t len;
    napi_value buffer;
    size_t byteOffset;
    if (napi_get_typedarray_info(env, argv[i], type, &len, data, &buffer, &byteOffset) != napi_ok) return false;
    *length = static_cast<int64_t>(len);
    return true;
  }

  bool floatArray(size_t i, napi_typedarray_type* type, void** data, int64_t* length) {
    if (!array(i, type, data, length)) return false;
    if (*type != napi_float32_array && *type != napi_float64_array)
      return fail(env, std::string(fn) + ": argument " + std::to_string(i) + " must be a Float32Array or Float64Array");
    return true;
  }
};

/** Whether every element of an r×c strided view at `off` lies in [0, len). */
bool inBounds(int64_t off, int64_t r, int64_t c, int64_t rs, int64_t cs, int64_t len) {
  if (r == 0 || c == 0) return true;
  int64_t lo = off, hi = off;
  const int64_t dr = (r - 1) * rs;
  const int64_t dc = (c - 1) * cs;
  (dr < 0 ? lo : hi) += dr;
  (dc < 0 ? lo : hi) += dc;
  return lo >= 0 && hi < len;
}

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// Reads a Float64Array of per-batch element offsets.
bool offsets(Args& a, size_t i, std::vector<int64_t>* out) {
  napi_typedarray_type type;
  void* data;
  int64_t len;
  if (!a.array(i, &type, &data, &len)) return false;
  if (type != napi_float64_array) return fail(a.env, std::string(a.fn) + ": offsets must be a Float64Array");
  const double* d = static_cast<const double*>(data);
  out->resize(static_cast<size_t>(len));
  for (int64_t j = 0; j < len; j++) {
    if (!(d[j] >= 0) || d[j] != std::floor(d[j]))
      return fail(a.env, std::string(a.fn) + ": offsets must be non-negative integers", true);
    (*out)[j] = static_cast<int64_t>(d[j]);
  }
  return true;
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a{env, "gemm"};
  if (!a.init(info, 15)) return nullptr;
  napi_typedarray_type ta, tb, tc;
  void *pa, *pb, *pc;
  int64_t la, lb, lc;
  std::vector<int64_t> offA, offB, offC;
  int64_t m, n, k, rsA, csA, rsB, csB, ldc;
  bool accumulate;
  if (!a.floatArray(0, &ta, &pa, &la) || !a.floatArray(1, &tb, &pb, &lb) || !a.floatArray(2, &tc, &pc, &lc) ||
      !offsets(a, 3, &offA) || !offsets(a, 4, &offB) || !offsets(a, 5, &offC) || !a.integer(6, &m) ||
      !a.integer(7, &n) || !a.integer(8, &k) || !a.integer(9, &rsA) || !a.integer(10, &csA) ||
      !a.integer(11, &rsB) || !a.integer(12, &csB) || !a.integer(13, &ldc) || !a.boolean(14, &accumulate))
    return nullptr;
  if (ta != tb || ta != tc) {
    fail(env, "gemm: a, b and c must all be Float32Array or all Float64Array");
    return nullptr;
  }
  if (m < 0 || n < 0 || k < 0 || (m > 1 && ldc < n)) {
    fail(env, "gemm: bad sizes (m, n, k must be >= 0 and ldc >= n)", true);
    return nullptr;
  }
  // The optional epilogue: c = act(c + bias[biasOff + j]) once each element is complete,
  // or bias[biasOff + i] (one value per row) when biasPerRow.
  void* pbias = nullptr;
  int64_t biasOff = 0, act = kActNone;
  bool biasPerRow = false;
  if (a.argc > 18 && !a.boolean(18, &biasPerRow)) return nullptr;
  if (a.argc > 15) {
    napi_valuetype vt;
    napi_typeof(env, a.argv[15], &vt);
    if (vt != napi_null && vt != napi_undefined) {
      napi_typedarray_type tbias;
      int64_t lbias;
      if (!a.floatArray(15, &tbias, &pbias, &lbias) || !a.integer(16, &biasOff)) return nullptr;
      if (tbias != ta) {
        fail(env, "gemm: bias must have the type of a, b and c");
        return nullptr;
      }
      if (!inBounds(biasOff, 1, biasPerRow ? m : n, 0, 1, lbias)) {
        fail(env, std::string("gemm: bias (") + (biasPerRow ? "m" : "n") + " values from biasOff) reaches outside its array",
             true);
        return nullptr;
      }
    }
    if (a.argc > 17 && !a.integer(17, &act)) return nullptr;
    if (act < 0 || act >= kActivations) {
      fail(env, "gemm: unknown activation " + std::to_string(act), true);
      return nullptr;
    }
  }
  const size_t batch = offA.size();
  if (offB.size() != batch || offC.size() != batch) {
    fail(env, "gemm: offA, offB and offC must have the same length (the batch)", true);
    return nullptr;
  }
  for (size_t i = 0; i < batch; i++) {
    if (!inBounds(offA[i], m, k, rsA, csA, la) || !inBounds(offB[i], k, n, rsB, csB, lb) ||
        !inBounds(offC[i], m, n, ldc, 1, lc)) {
      fail(env, "gemm: batch item " + std::to_string(i) + " reaches outside its array", true);
      return nullptr;
    }
  }
  if (ta == napi_float32_array) {
    Epilogue<float> ep;
    ep.bias = pbias ? static_cast<const float*>(pbias) + biasOff : nullptr;
    ep.act = static_cast<int>(act);
    ep.biasPerRow = biasPerRow;
    gemm<float>(static_cast<const float*>(pa), static_cast<const float*>(pb), static_cast<float*>(pc), offA.data(),
                offB.data(), offC.data(), static_cast<int64_t>(batch), m, n, k, rsA, csA, rsB, csB, ldc, accumulate,
                ep);
  } else {
    Epilogue<double> ep;
    ep.bias = pbias ? static_cast<const double*>(pbias) + biasOff : nullptr;
    ep.act = static_cast<int>(act);
    ep.biasPerRow = biasPerRow;
    gemm<double>(static_cast<const double*>(pa), static_cast<const double*>(pb), static_cast<double*>(pc),
                 offA.data(), offB.data(), offC.data(), static_cast<int64_t>(batch), m, n, k, rsA, csA, rsB, csB,
                 ldc, accumulate, ep);
  }
  return undefinedValue(env);
}

napi_value Unary(napi_env env, napi_callback_info info) {
  Args a{env, "unary"};
  if (!a.init(info, 8)) return nullptr;
  int64_t op, xOff, outOff, n, lx, lo;
  napi_typedarray_type tx, to;
  void *px, *po;
  double alpha, beta;
  if (!a.integer(0, &op) || !a.floatArray(1, &tx, &px, &lx) || !a.integer(2, &xOff) ||
      !a.floatArray(3, &to, &po, &lo) || !a.integer(4, &outOff) || !a.integer(5, &n) || !a.number(6, &alpha) ||
      !a.number(7, &beta))
    return nullptr;
  if (op < 0 || op >= kUnaryOps) {
    fail(env, "unary: unknown op " + std::to_string(op), true);
    return nullptr;
  }
  if (tx != napi_float32_array || to != napi_float32_array) {
    fail(env, "unary: x and out must be Float32Array");
    return nullptr;
  }
  if (!inBounds(xOff, 1, n, 0, 1, lx) || !inBounds(outOff, 1, n, 0, 1, lo) || n < 0) {
    fail(env, "unary: range reaches outside its array", true);
    return nullptr;
  }
  unary(static_cast<int>(op), static_cast<const float*>(px) + xOff, static_cast<float*>(po) + outOff, n,
        static_cast<float>(alpha), static_cast<float>(beta));
  return undefinedValue(env);
}

// The extent an operand of the given mode needs, as (rows, cols) of a contiguous block.
bool operandInBounds(int mode, int64_t off, int64_t rows, int64_t cols, int64_t len) {
  switch (mode) {
    case kFull: return inBounds(off, rows, cols, cols, 1, len);
    case kRow: return inBounds(off, 1, cols, 0, 1, len);
    case kCol: return inBounds(off, rows, 1, 1, 0, len);
    default: return inBounds(off, 1, 1, 0, 0, len);
  }
}

napi_value Binary(napi_env env, napi_callback_info info) {
  Args a{env, "binary"};
  if (!a.init(info, 11)) return nullptr;
  int64_t op, outOff, rows, cols, aOff, aMode, bOff, bMode, lo, la, lb;
  napi_typedarray_type to, ta, tb;
  void *po, *pa, *pb;
  if (!a.integer(0, &op) || !a.floatArray(1, &to, &po, &lo) || !a.integer(2, &outOff) || !a.integer(3, &rows) ||
      !a.integer(4, &cols) || !a.floatArray(5, &ta, &pa, &la) || !a.integer(6, &aOff) || !a.integer(7, &aMode) ||
      !a.floatArray(8, &tb, &pb, &lb) || !a.integer(9, &bOff) || !a.integer(10, &bMode))
    return nullptr;
  if (op < 0 || op >= kBinaryOps || aMode < 0 || aMode > kScalar || bMode < 0 || bMode > kScalar) {
    fail(env, "binary: unknown op or operand mode", true);
    return nullptr;
  }
  if (to != ta || to != tb) {
    fail(env, "binary: out, a and b must all be Float32Array or all Float64Array");
    return nullptr;
  }
  if (rows < 0 || cols < 0 || !inBounds(outOff, rows, cols, cols, 1, lo) ||
      !operandInBounds(static_cast<int>(aMode), aOff, rows, cols, la) ||
      !operandInBounds(static_cast<int>(bMode), bOff, rows, cols, lb)) {
    fail(env, "binary: an operand reaches outside its array", true);
    return nullptr;
  }
  if (rows == 0 || cols == 0) return undefinedValue(env);
  if (to == napi_float32_array) {
    const BinaryCall<float> call{static_cast<const float*>(pa) + aOff, static_cast<int>(aMode),
                                 static_cast<const float*>(pb) + bOff, static_cast<int>(bMode),
                                 static_cast<float*>(po) + outOff,   rows,
                                 cols};
    binary<float>(static_cast<int>(op), call);
  } else {
    const BinaryCall<double> call{static_cast<const double*>(pa) + aOff, static_cast<int>(aMode),
                                  static_cast<const double*>(pb) + bOff, static_cast<int>(bMode),
                                  static_cast<double*>(po) + outOff,   rows,
                                  cols};
    binary<double>(static_cast<int>(op), call);
  }
  return undefinedValue(env);
}

napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a{env, "reduce"};
  if (!a.init(info, 7)) return nullptr;
  int64_t op, xOff, outOff, rows, cols, lx, lo;
  napi_typedarray_type tx, to;
  void *px, *po;
  if (!a.integer(0, &op) || !a.floatArray(1, &tx, &px, &lx) || !a.integer(2, &xOff) ||
      !a.floatArray(3, &to, &po, &lo) || !a.integer(4, &outOff) || !a.integer(5, &rows) || !a.integer(6, &cols))
    return nullptr;
  if (op < 0 || op >= kReduceOps) {
    fail(env, "reduce: unknown op " + std::to_string(op), true);
    return nullptr;
  }
  if (tx != to) {
    fail(env, "reduce: x and out must both be Float32Array or both Float64Array");
    return nullptr;
  }
  if (rows < 0 || cols < 0 || !inBounds(xOff, rows, cols, cols, 1, lx) || !inBounds(outOff, 1, rows, 0, 1, lo)) {
    fail(env, "reduce: range reaches outside its array", true);
    return nullptr;
  }
  if (tx == napi_float32_array)
    reduceRows<float>(static_cast<int>(op), static_cast<const float*>(px) + xOff, static_cast<float*>(po) + outOff,
                      rows, cols);
  else
    reduceRows<double>(static_cast<int>(op), static_cast<const double*>(px) + xOff,
                       static_cast<double*>(po) + outOff, rows, cols);
  return undefinedValue(env);
}

napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a{env, "softmax"};
  if (!a.init(info, 7)) return nullptr;
  int64_t xOff, outOff, rows, cols, lx, lo;
  napi_typedarray_type tx, to;
  void *px, *po;
  bool log;
  if (!a.floatArray(0, &tx, &px, &lx) || !a.integer(1, &xOff) || !a.floatArray(2, &to, &po, &lo) ||
      !a.integer(3, &outOff) || !a.integer(4, &rows) || !a.integer(5, &cols) || !a.boolean(6, &log))
    return nullptr;
  if (tx != napi_float32_array || to != napi_float32_array) {
    fail(env, "softmax: x and out must be Float32Array");
    return nullptr;
  }
  if (rows < 0 || cols < 0 || !inBounds(xOff, rows, cols, cols, 1, lx) ||
      !inBounds(outOff, rows, cols, cols, 1, lo)) {
    fail(env, "softmax: range reaches outside its array", true);
    return nullptr;
  }
  const float* xs = static_cast<const float*>(px) + xOff;
  const float* os = static_cast<const float*>(po) + outOff;
  if (xs < os + rows * cols && os < xs + rows * cols) {  // the first pass writes out while x is still needed
    fail(env, "softmax: out must not overlap x", true);
    return nullptr;
  }
  if (rows > 0 && cols > 0)
    softmaxRows(static_cast<const float*>(px) + xOff, static_cast<float*>(po) + outOff, rows, cols, log);
  return undefinedValue(env);
}

// spec holds six numbers a layer: k, n, rsB, csB, act, hasBias; bias_l is null
// when hasBias is 0. softmax: -1 none, 0 softmax, 1 log-softmax after the last layer.
napi_value Chain(napi_env env, napi_callback_info info) {
  Args a{env, "chain"};
  if (!a.init(info, 5)) return nullptr;
  napi_typedarray_type tx, to, ts;
  void *px, *po, *ps;
  int64_t lx, lo, ls, m, softmax;
  if (!a.floatArray(0, &tx, &px, &lx) || !a.floatArray(1, &to, &po, &lo) || !a.integer(2, &m) ||
      !a.integer(3, &softmax) || !a.array(4, &ts, &ps, &ls))
    return nullptr;
  if (tx != napi_float32_array || to != napi_float32_array || ts != napi_float64_array) {
    fail(env, "chain: x and out must be Float32Array, spec a Float64Array");
    return nullptr;
  }
  const int count = static_cast<int>(ls / 6);
  if (ls % 6 != 0 || count < 1 || count > kMaxChain || m < 0 || softmax < -1 || softmax > 1 ||
      a.argc < size_t(5 + 2 * count)) {
    fail(env, "chain: spec must describe 1 to " + std::to_string(kMaxChain) +
                  " layers of six numbers, with a weight and a bias argument each", true);
    return nullptr;
  }
  const double* spec = static_cast<const double*>(ps);
  ChainLayer layers[kMaxChain];
  int64_t width = 0;  // the previous layer's n: the next one's k
  for (int l = 0; l < count; l++) {
    const double* d = spec + 6 * l;
    for (int j = 0; j < 6; j++)
      if (!(d[j] == std::floor(d[j]) && std::abs(d[j]) < 9e15)) {
        fail(env, "chain: spec entries must be integers", true);
        return nullptr;
      }
    ChainLayer& L = layers[l];
    L.k = int64_t(d[0]), L.n = int64_t(d[1]), L.rsB = int64_t(d[2]), L.csB = int64_t(d[3]);
    L.act = int(d[4]);
    napi_typedarray_type tb;
    void* pb;
    int64_t lb;
    if (!a.floatArray(5 + 2 * l, &tb, &pb, &lb)) return nullptr;
    L.b = static_cast<const float*>(pb);
    L.bias = nullptr;
    if (d[5] != 0) {
      napi_typedarray_type tbias;
      void* pbias;
      int64_t lbias;
      if (!a.floatArray(6 + 2 * l, &tbias, &pbias, &lbias)) return nullptr;
      if (tbias != napi_float32_array || lbias < L.n) {
        fail(env, "chain: layer " + std::to_string(l) + "'s bias must be a Float32Array of n values", true);
        return nullptr;
      }
      L.bias = static_cast<const float*>(pbias);
    }
    if (tb != napi_float32_array || L.k < 1 || L.n < 1 || (l > 0 && L.k != width) || L.act < 0 ||
        L.act >= kActivations || !inBounds(0, L.k, L.n, L.rsB, L.csB, lb)) {
      fail(env, "chain: layer " + std::to_string(l) + " is not a k×n float32 weight matching the previous layer", true);
      return nullptr;
    }
    width = L.n;
  }
  if (!inBounds(0, m, layers[0].k, layers[0].k, 1, lx) || !inBounds(0, m, width, width, 1, lo)) {
    fail(env, "chain: x or out is smaller than m rows", true);
    return nullptr;
  }
  const float* xs = static_cast<const float*>(px);
  const float* os = static_cast<const float*>(po);
  if (xs < os + lo && os < xs + lx) {  // a block's output rows would overwrite rows of x not yet read
    fail(env, "chain: out must not overlap x", true);
    return nullptr;
  }
  chain(xs, static_cast<float*>(po), m, layers, count, static_cast<int>(softmax));
  return undefinedValue(env);
}

// The operands shared by compare and where: rows and cols at argument `dims`, then a and b
// (array, offset, mode) from argument i.
struct Operands {
  int64_t rows, cols, aOff, aMode, bOff, bMode, la, lb;
  napi_typedarray_type ta, tb;
  void *pa, *pb;
  bool read(Args& a, size_t dims, size_t i) {
    if (!a.integer(dims, &rows) || !a.integer(dims + 1, &cols)) return false;
    if (!a.floatArray(i, &ta, &pa, &la) || !a.integer(i + 1, &aOff) || !a.integer(i + 2, &aMode) ||
        !a.floatArray(i + 3, &tb, &pb, &lb) || !a.integer(i + 4, &bOff) || !a.integer(i + 5, &bMode))
      return false;
    if (aMode < 0 || aMode > kScalar || bMode < 0 || bMode > kScalar)
      return fail(a.env, std::string(a.fn) + ": unknown operand mode", true);
    if (ta != tb) return fail(a.env, std::string(a.fn) + ": a and b must both be Float32Array or both Float64Array");
    if (rows < 0 || cols < 0 || !operandInBounds(int(aMode), aOff, rows, cols, la) ||
        !operandInBounds(int(bMode), bOff, rows, cols, lb))
      return fail(a.env, std::string(a.fn) + ": an operand reaches outside its array", true);
    return true;
  }
  template <class T>
  const T* at(bool first) const {
    return static_cast<const T*>(first ? pa : pb) + (first ? aOff : bOff);
  }
};

// compare(op, out, outOff, rows, cols, a, aOff, aMode, b, bOff, bMode): out a Uint8Array of 0/1.
napi_value Compare(napi_env env, napi_callback_info info) {
  Args a{env, "compare"};
  if (!a.init(info, 11)) return nullptr;
  int64_t op, outOff, lo;
  napi_typedarray_type to;
  void* po;
  Operands ops;
  if (!a.integer(0, &op) || !a.array(1, &to, &po, &lo) || !a.integer(2, &outOff) || !ops.read(a, 3, 5)) return nullptr;
  if (op < 0 || op >= kCompareOps || to != napi_uint8_array) {
    fail(env, "compare: unknown op, or out is not a Uint8Array", true);
    return nullptr;
  }
  if (!inBounds(outOff, ops.rows, ops.cols, ops.cols, 1, lo)) {
    fail(env, "compare: out reaches outside its array", true);
    return nullptr;
  }
  uint8_t* out = static_cast<uint8_t*>(po) + outOff;
  if (ops.ta == napi_float32_array)
    compare<float>(int(op), ops.at<float>(true), int(ops.aMode), ops.at<float>(false), int(ops.bMode), out, ops.rows,
                   ops.cols);
  else
    compare<double>(int(op), ops.at<double>(true), int(ops.aMode), ops.at<double>(false), int(ops.bMode), out,
                    ops.rows, ops.cols);
  return undefinedValue(env);
}

// where(out, outOff, rows, cols, c, cOff, a, aOff, aMode, b, bOff, bMode): c a full Uint8Array mask.
napi_value Where(napi_env env, napi_callback_info info) {
  Args a{env, "where"};
  if (!a.init(info, 12)) return nullptr;
  int64_t outOff, cOff, lo, lc;
  napi_typedarray_type to, tc;
  void *po, *pc;
  Operands ops;
  if (!a.floatArray(0, &to, &po, &lo) || !a.integer(1, &outOff) || !ops.read(a, 2, 6) || !a.array(4, &tc, &pc, &lc) ||
      !a.integer(5, &cOff))
    return nullptr;
  if (tc != napi_uint8_array || to != ops.ta) {
    fail(env, "where: c must be a Uint8Array, and out of the type of a and b");
    return nullptr;
  }
  if (!inBounds(outOff, ops.rows, ops.cols, ops.cols, 1, lo) || !inBounds(cOff, ops.rows, ops.cols, ops.cols, 1, lc)) {
    fail(env, "where: out or c reaches outside its array", true);
    return nullptr;
  }
  const uint8_t* c = static_cast<const uint8_t*>(pc) + cOff;
  if (to == napi_float32_array)
    select<float>(c, ops.at<float>(true), int(ops.aMode), ops.at<float>(false), int(ops.bMode),
                  static_cast<float*>(po) + outOff, ops.rows, ops.cols);
  else
    select<double>(c, ops.at<double>(true), int(ops.aMode), ops.at<double>(false), int(ops.bMode),
                   static_cast<double*>(po) + outOff, ops.rows, ops.cols);
  return undefinedValue(env);
}

napi_value Windows(napi_env env, napi_callback_info info) {
  Args a{env, "windows"};
  if (!a.init(info, 6)) return nullptr;
  napi_typedarray_type ts, td, tdims;
  void *ps, *pd, *pdims;
  int64_t srcOff, dstOff, ls, ld, ldims;
  bool adjoint;
  if (!a.floatArray(0, &ts, &ps, &ls) || !a.integer(1, &srcOff) || !a.floatArray(2, &td, &pd, &ld) ||
      !a.integer(3, &dstOff) || !a.array(4, &tdims, &pdims, &ldims) || !a.boolean(5, &adjoint))
    return nullptr;
  if (ts != td) {
    fail(env, "windows: src and dst must both be Float32Array or both Float64Array");
    return nullptr;
  }
  if (tdims != napi_float64_array || ldims != 14) {
    fail(env, "windows: dims must be a Float64Array of 14 integers (n c h w kh kw sh sw dh dw pt pb pl pr)", true);
    return nullptr;
  }
  const double* d = static_cast<const double*>(pdims);
  int64_t v[14];
  for (int i = 0; i < 14; i++) {
    const bool positive = i >= 4 && i < 10;  // kernel, stride and dilation are at least 1
    if (!(d[i] >= (positive ? 1 : 0)) || d[i] != std::floor(d[i]) || d[i] > 1e12) {
      fail(env, "windows: dims[" + std::to_string(i) + "] must be an integer >= " + (positive ? "1" : "0"), true);
      return nullptr;
    }
    v[i] = static_cast<int64_t>(d[i]);
  }
  const WindowCall g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  const int64_t span = (g.h + g.pt + g.pb) - g.dh * (g.kh - 1) - 1;
  const int64_t spanW = (g.w + g.pl + g.pr) - g.dw * (g.kw - 1) - 1;
  if (span < 0 || spanW < 0) {
    fail(env, "windows: the window does not fit the padded image", true);
    return nullptr;
  }
  const int64_t images = g.n * g.c * g.h * g.w;
  const int64_t columns = g.n * g.c * g.kh * g.kw * g.oh() * g.ow();
  if (!inBounds(srcOff, 1, adjoint ? columns : images, 0, 1, ls) ||
      !inBounds(dstOff, 1, adjoint ? images : columns, 0, 1, ld)) {
    fail(env, "windows: src or dst reaches outside its array", true);
    return nullptr;
  }
  if (ts == napi_float32_array)
    windows<float>(static_cast<const float*>(ps) + srcOff, static_cast<float*>(pd) + dstOff, g, adjoint);
  else
    windows<double>(static_cast<const double*>(ps) + srcOff, static_cast<double*>(pd) + dstOff, g, adjoint);
  return undefinedValue(env);
}

// Reads a Float64Array of `count` integers (a shape or strides) into `out`.
bool integers(Args& a, size_t i, int64_t count, bool nonNegative, int64_t* out) {
  napi_typedarray_type type;
  void* data;
  int64_t len;
  if (!a.array(i, &type, &data, &len)) return false;
  if (type != napi_float64_array || len != count)
    return fail(a.env, std::string(a.fn) + ": shape and strides must be Float64Arrays of one length", true);
  const double* d = static_cast<const double*>(data);
  for (int64_t j = 0; j < count; j++) {
    if (d[j] != std::floor(d[j]) || std::fabs(d[j]) > 1e12 || (nonNegative && d[j] < 0))
      return fail(a.env, std::string(a.fn) + ": shape and strides must be integers (shape >= 0)", true);
    out[j] = static_cast<int64_t>(d[j]);
  }
  return true;
}

napi_value CopyStrided(napi_env env, napi_callback_info info) {
  Args a{env, "copyStrided"};
  if (!a.init(info, 6)) return nullptr;
  napi_typedarray_type ts, td, tshape;
  void *ps, *pd, *pshape;
  int64_t srcOff, dstOff, ls, ld, rank;
  if (!a.floatArray(0, &ts, &ps, &ls) || !a.integer(1, &srcOff) || !a.floatArray(2, &td, &pd, &ld) ||
      !a.integer(3, &dstOff) || !a.array(4, &tshape, &pshape, &rank))
    return nullptr;
  if (ts != td) {
    fail(env, "copyStrided: src and dst must both be Float32Array or both Float64Array");
    return nullptr;
  }
  if (rank > kMaxCopyRank) {
    fail(env, "copyStrided: at most " + std::to_string(kMaxCopyRank) + " axes", true);
    return nullptr;
  }
  int64_t shape[kMaxCopyRank], strides[kMaxCopyRank];
  if (!integers(a, 4, rank, true, shape) || !integers(a, 5, rank, false, strides)) return nullptr;
  // The elements the view reaches, [lo, hi], and the size of the copy.
  int64_t lo = srcOff, hi = srcOff, size = 1;
  for (int64_t d = 0; d < rank; d++) {
    size *= shape[d];
    if (shape[d] == 0 || size > (int64_t(1) << 50)) break;
    (strides[d] < 0 ? lo : hi) += (shape[d] - 1) * strides[d];
  }
  if (size == 0) return undefinedValue(env);
  if (lo < 0 || hi >= ls || !inBounds(dstOff, 1, size, 0, 1, ld)) {
    fail(env, "copyStrided: src or dst reaches outside its array", true);
    return nullptr;
  }
  const size_t bytes = ts == napi_float32_array ? 4 : 8;
  const char* s = static_cast<const char*>(ps);
  const char* o = static_cast<const char*>(pd);
  if (s + lo * bytes < o + (dstOff + size) * bytes && o + dstOff * bytes < s + (hi + 1) * bytes) {
    fail(env, "copyStrided: dst must not overlap src", true);
    return nullptr;
  }
  const int r = static_cast<int>(rank);
  if (ts == napi_float32_array)
    copyStrided<float>(static_cast<const float*>(ps) + srcOff, static_cast<float*>(pd) + dstOff, shape, strides, r);
  else
    copyStrided<double>(static_cast<const double*>(ps) + srcOff, static_cast<double*>(pd) + dstOff, shape, strides,
                        r);
  return undefinedValue(env);
}

napi_value ReduceMiddle(napi_env env, napi_callback_info info) {
  Args a{env, "reduceMiddle"};
  if (!a.init(info, 8)) return nullptr;
  int64_t op, xOff, outOff, outer, mid, inner, lx, lo;
  napi_typedarray_type tx, to;
  void *px, *po;
  if (!a.integer(0, &op) || !a.floatArray(1, &tx, &px, &lx) || !a.integer(2, &xOff) ||
      !a.floatArray(3, &to, &po, &lo) || !a.integer(4, &outOff) || !a.integer(5, &outer) || !a.integer(6, &mid) ||
      !a.integer(7, &inner))
    return nullptr;
  if (op < 0 || op >= kReduceOps) {
    fail(env, "reduceMiddle: unknown op " + std::to_string(op), true);
    return nullptr;
  }
  if (tx != to) {
    fail(env, "reduceMiddle: x and out must both be Float32Array or both Float64Array");
    return nullptr;
  }
  const int64_t limit = int64_t(1) << 40;
  if (outer < 0 || mid < 0 || inner < 0 || outer > limit || mid > limit || inner > limit ||
      !inBounds(xOff, outer, mid * inner, mid * inner, 1, lx) || !inBounds(outOff, outer, inner, inner, 1, lo)) {
    fail(env, "reduceMiddle: range reaches outside its array", true);
    return nullptr;
  }
  if (tx == napi_float32_array)
    reduceMiddle<float>(static_cast<int>(op), static_cast<const float*>(px) + xOff, static_cast<float*>(po) + outOff,
                        outer, mid, inner);
  else
    reduceMiddle<double>(static_cast<int>(op), static_cast<const double*>(px) + xOff,
                         static_cast<double*>(po) + outOff, outer, mid, inner);
  return undefinedValue(env);
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a{env, "setThreads"};
  int64_t n;
  if (!a.init(info, 1) || !a.integer(0, &n)) return nullptr;
  if (n < 1 || n > 256) {
    fail(env, "setThreads: n must be in [1, 256], got " + std::to_string(n), true);
    return nullptr;
  }
  setPoolThreads(static_cast<int>(n));
  return undefinedValue(env);
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, poolThreads(), &v);
  return v;
}

napi_value ScratchBytes(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_double(env, static_cast<double>(scratchBytes()), &v);
  return v;
}

// The version of this interface: bumped whenever an existing function's arguments change meaning
// (an addon built from older sources would ignore an argument it does not know). 2: gemm's biasPerRow.
constexpr int32_t kInterfaceVersion = 2;

napi_value InterfaceVersion(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, kInterfaceVersion, &v);
  return v;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, activeIsa(), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args a{env, "setIsa"};
  std::string name;
  if (!a.init(info, 1) || !a.string(0, &name)) return nullptr;
  napi_value v;
  napi_get_boolean(env, setIsa(name.c_str()), &v);
  return v;
}

napi_value IsaSupported(napi_env env, napi_callback_info info) {
  Args a{env, "isaSupported"};
  std::string name;
  if (!a.init(info, 1) || !a.string(0, &name)) return nullptr;
  napi_value v;
  napi_get_boolean(env, isaSupported(name.c_str()), &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"chain", nullptr, Chain, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"compare", nullptr, Compare, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"where", nullptr, Where, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"windows", nullptr, Windows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copyStrided", nullptr, CopyStrided, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduceMiddle", nullptr, ReduceMiddle, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"scratchBytes", nullptr, ScratchBytes, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"interfaceVersion", nullptr, InterfaceVersion, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"isaSupported", nullptr, IsaSupported, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace grafo

NAPI_MODULE_INIT() { return grafo::Init(env, exports); }
