// The kernels the addon exposes, independent of instruction set. kernels.cc
// compiles each kernel for AVX-512, AVX2+FMA and plain scalar code, picks the
// best the CPU supports on first use, and splits large calls across the pool.
#pragma once

#include <cstdint>

namespace grafo {

// ---- operation codes shared with the TypeScript side (src/backends/native/addon.ts) ----
enum UnaryOp : int { kIdentity = 0, kExp = 1, kLog = 2, kTanh = 3, kSigmoid = 4, kRelu = 5, kUnaryOps = 6 };
enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMax = 4, kMin = 5, kBinaryOps = 6 };
enum ReduceOp : int { kSum = 0, kMaxReduce = 1, kReduceOps = 2 };
/** In grafo's CompareOp order (src/core/primitives.ts). */
enum CompareOp : int {
  kEqual = 0,
  kNotEqual = 1,
  kLess = 2,
  kLessEqual = 3,
  kGreater = 4,
  kGreaterEqual = 5,
  kCompareOps = 6
};

/**
 * How a binary operand is laid out against a rows×cols result:
 * full = rows×cols row-major, row = one row of cols broadcast down (a bias),
 * col = one value per row broadcast across (x − max(x) in softmax),
 * scalar = one value for everything.
 */
enum OperandMode : int { kFull = 0, kRow = 1, kCol = 2, kScalar = 3 };

inline bool isVector(int mode) { return mode == kFull || mode == kRow; }

/** Where row r, column c of an operand starts, by mode. */
template <class T>
inline const T* operandAt(const T* p, int mode, int64_t r, int64_t c, int64_t cols) {
  switch (mode) {
    case kFull: return p + r * cols + c;
    case kRow: return p + c;
    case kCol: return p + r;
    default: return p;
  }
}

/** Activations a GEMM epilogue applies to each finished element. */
enum Activation : int { kActNone = 0, kActRelu = 1, kActivations = 2 };

/**
 * What happens to C after its last k-block, while the tile is still in cache:
 * c = act(c + bias[j]), bias one row of n values (a dense layer's), or
 * c = act(c + bias[i]) when `biasPerRow`, one value per row of C (a
 * convolution's, whose rows are output channels); or no bias.
 */
template <class T>
struct Epilogue {
  const T* bias = nullptr;
  int act = kActNone;
  bool biasPerRow = false;
  bool any() const { return bias != nullptr || act != kActNone; }
};

/** One matrix product C (+)= A·B; A, B are strided views (rowStride, colStride), C is row-major with ldc. */
template <class T>
struct GemmCall {
  const T* a;
  const T* b;
  T* c;
  int64_t m, n, k;
  int64_t rsA, csA, rsB, csB, ldc;
  bool accumulate;
  Epilogue<T> ep;
};

template <class T>
struct BinaryCall {
  const T* a;
  int modeA;
  const T* b;
  int modeB;
  T* out;
  int64_t rows, cols;
};

/** Bytes of packing scratch held by all threads (it is kept for reuse, never freed). */
int64_t scratchBytes();

/**
 * Largest row-major B (bytes) the GEMM reads in place rather than packing.
 * Measured here (1 thread, 128 rows): in place and packed run alike for a
 * 256×256 B, and packing wins from 784×256 on (0.46 vs 0.58 ms): B's rows,
 * a power of two apart, fight over the same L1 sets. Small B is not worth
 * packing, and threads then need a single hand-off.
 */
constexpr int64_t kInPlaceBBytes = int64_t(1) << 17;

/**
 * The same limit for a product split across threads, where packing B costs a
 * hand-off of its own: on 2 threads 128×784 · 784×256 took 0.31 ms with B in
 * place against 0.33 packed (medians; best 0.24 against 0.28).
 */
constexpr int64_t kInPlaceThreadedBBytes = int64_t(1) << 20;
/**
 * ...but only for a few row tiles: B is read again for each, and over many
 * (batch 1024: 86) its strided rows cost more than packing it once (the MLP
 * forward pass at batch 1024 took 5.0 ms in place, 3.5 ms packed).
 */
constexpr int64_t kInPlaceThreadedRows = 192;

/**
 * Smallest row-major B (bytes) that a product of a single row tile (batch 1,
 * m ≤ MR: each element of B used once) splits by columns across threads:
 * each thread then streams its own half of B, which stays in its own L2 from
 * call to call. Below it one thread streams B faster than a hand-off costs.
 */
constexpr int64_t kSplitColumnsBBytes = int64_t(1) << 18;

/**
 * Largest B (bytes) a threaded product packs whole before computing (it then
 * stays in L2 while the threads sweep it); larger ones are packed and swept
 * slab by slab (one KC×NC slab at a time).
 */
constexpr int64_t kPackedOnceBytes = int64_t(1) << 20;

/** Depth of each of the equal k-blocks a product of depth k is cut into (at most kc). */
inline int64_t kStep(int64_t k, int64_t kc) {
  const int64_t blocks = (k + kc - 1) / kc;
  return (k + blocks - 1) / blocks;
}

/**
 * A per-thread, 64-byte aligned scratch buffer of at least n elements: slot 0 packed A,
 * 1 packed B, 2 a chain's packed weights, 3 and 4 a chain's activations.
 */
template <class T>
T* packBuffer(int slot, int64_t n);

// ---- the per-instruction-set function table ----
/**
 * The GEMM of one instruction set, in pieces: `serial` does a whole product;
 * a threaded product packs each kc×nc slab of B once (`packSlab`, panels split
 * across threads) and then splits the rows of C (`slabRows`) across threads.
 */
template <class T>
struct GemmFns {
  void (*serial)(const GemmCall<T>&);
  void (*packSlab)(const GemmCall<T>&, int64_t jc, int64_t pc, int64_t kc, int64_t j0, int64_t j1, T* packedB);
  void (*slabRows)(const GemmCall<T>&, const T* packedB, int64_t jc, int64_t nc, int64_t pc, int64_t kc,
                   int64_t i0, int64_t i1);
  /** Rows [i0, i1), columns [j0, j1) of C, every k-block, with a row-major B read in place (no shared packing). */
  void (*inPlaceRows)(const GemmCall<T>&, int64_t i0, int64_t i1, int64_t j0, int64_t j1);
  /**
   * Rows [i0, i1), columns [j0, j1) of C (n ≤ nc), every k-block, against all of B
   * packed at once: k-block b (depth `step`, the last one shorter) at packedB + b·step·ncPad.
   */
  void (*packedRows)(const GemmCall<T>&, const T* packedB, int64_t step, int64_t ncPad, int64_t i0, int64_t i1,
                     int64_t j0, int64_t j1);
  int mr, nr;
  int64_t kc, nc;
};
using UnaryFn = void (*)(const float* x, float* out, int64_t n, float alpha, float beta);
template <class T>
using BinaryFn = void (*)(const BinaryCall<T>&, int64_t lo, int64_t hi);
template <class T>
using ReduceFn = void (*)(const T* x, T* out, int64_t cols, int64_t r0, int64_t r1);
/** Rows [r0, r1) of a rows×cols block: out = softmax(x) or log-softmax(x) along each row (float32). */
using SoftmaxFn = void (*)(const float* x, float* out, int64_t cols, int64_t r0, int64_t r1);

struct KernelTable {
  const char* name;
  GemmFns<float> gemmF32;
  GemmFns<double> gemmF64;
  UnaryFn unary[kUnaryOps][2];  // [op][affine]
  BinaryFn<float> binaryF32[kBinaryOps];
  BinaryFn<double> binaryF64[kBinaryOps];
  ReduceFn<float> reduceF32[kReduceOps];
  ReduceFn<double> reduceF64[kReduceOps];
  SoftmaxFn softmax[2];  // [log]
};

// ---- instruction-set selection ----
/** "avx512", "avx2" or "scalar": the table in use. */
const char* activeIsa();
/** Whether this CPU (and build) can run the named set. */
bool isaSupported(const char* name);
/** Switches to the named set (for tests and benchmarks); false if unsupported. */
bool setIsa(const char* name);

// ---- entry points (threaded above a size threshold) ----
/** batch products; the i-th uses a + offA[i], b + offB[i], c + offC[i]. */
template <class T>
void gemm(const T* a, const T* b, T* c, const int64_t* offA, const int64_t* offB, const int64_t* offC,
          int64_t batch, int64_t m, int64_t n, int64_t k, int64_t rsA, int64_t csA, int64_t rsB, int64_t csB,
          int64_t ldc, bool accumulate, Epilogue<T> ep = {});

void unary(int op, const float* x, float* out, int64_t n, float alpha, float beta);

/**
 * One dense layer of a row chain: y = act(x·B + bias), B k×n read through
 * (rsB, csB), bias a row of n values or null.
 */
struct ChainLayer {
  const float* b;
  const float* bias;
  int64_t k, n, rsB, csB;
  int act;
};

/**
 * A stack of dense layers over the same m rows, optionally ending in a softmax
 * (softmax: -1 none, 0 softmax, 1 log-softmax) along each row: x (m×k0,
 * row-major) in, out (m×n of the last layer) out. Every step is row-local, so
 * the rows are cut into blocks and each thread takes a block through all the
 * layers at once: one hand-off in all instead of one per layer, and a block's
 * activations stay in its core's cache between layers.
 */
void chain(const float* x, float* out, int64_t m, const ChainLayer* layers, int count, int softmax);

/** The most layers one chain call takes. */
constexpr int kMaxChain = 16;

template <class T>
void binary(int op, const BinaryCall<T>& call);

template <class T>
void reduceRows(int op, const T* x, T* out, int64_t rows, int64_t cols);

/**
 * The sliding windows of a convolution or pooling over NCHW images, as
 * grafo's im2col primitive lays them out: columns [n, c·kh·kw, oh·ow], row
 * (ci, ki, kj), column (y, x) holding image[ci][y·sh − pt + ki·dh][x·sw − pl + kj·dw]
 * (0 where that falls on padding). `adjoint` runs col2im instead: the images
 * (zeroed first) receive the sum of every column entry that reads them.
 */
struct WindowCall {
  int64_t n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr;
  int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
};

template <class T>
void windows(const T* src, T* dst, const WindowCall& g, bool adjoint);

/**
 * Softmax along the rows of a rows×cols float32 block, as grafo's softmax
 * composes it: m = max(x) (0 when not finite), lse = log Σ exp(x − m) + m,
 * out = exp(x − lse), or x − lse when `log`.
 */
void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols, bool log);

// ---- layout kernels (layout.cc) ----
/** The most axes a strided copy takes. */
constexpr int kMaxCopyRank = 16;

/**
 * dst (contiguous) = the view of src with `shape` and element `strides` (any
 * sign, 0 for a broadcast axis), rank ≤ kMaxCopyRank; src points at the view's
 * first element.
 */
template <class T>
void copyStrided(const T* src, T* dst, const int64_t* shape, const int64_t* strides, int rank);

/**
 * out[o·inner + i] = reduce over m of x[(o·mid + m)·inner + i] (op: kSum or
 * kMaxReduce), accumulated in float64: a reduction over the middle axes of a
 * dense tensor, e.g. pooling over the window rows of im2col's columns.
 */
template <class T>
void reduceMiddle(int op, const T* x, T* out, int64_t outer, int64_t mid, int64_t inner);

// ---- masks (select.cc) ----
/** out (rows×cols bytes, 0 or 1) = a op b, each operand laid out by its mode (OperandMode). */
template <class T>
void compare(int op, const T* a, int modeA, const T* b, int modeB, uint8_t* out, int64_t rows, int64_t cols);

/** out (rows×cols) = c ? a : b elementwise, c a full rows×cols mask of bytes, a and b by their modes. */
template <class T>
void select(const uint8_t* c, const T* a, int modeA, const T* b, int modeB, T* out, int64_t rows, int64_t cols);

}  // namespace grafo
