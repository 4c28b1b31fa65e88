// Instruction-set dispatch and threading for the kernels in gemm.inc and
// elementwise.inc. Those files are included three times below, each time in
// its own namespace with GRAFO_KT set to the target attribute of that
// instruction set, so the same source becomes AVX-512, AVX2+FMA and scalar
// machine code in one binary. The first call asks the CPU what it supports.
#include "kernels.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "pool.h"
#include "simd.h"

namespace grafo {

namespace {
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
};
// Per thread and never freed: the pool's threads live as long as the process,
// and reusing the buffers keeps allocation out of every call.
thread_local Scratch scratch[5];
// All threads' scratch together, for grafo's memory() report.
std::atomic<int64_t> scratchTotal{0};
}  // namespace

int64_t scratchBytes() { return scratchTotal.load(std::memory_order_relaxed); }

template <class T>
T* packBuffer(int slot, int64_t n) {
  Scratch& s = scratch[slot];
  const size_t bytes = (static_cast<size_t>(n) * sizeof(T) + 63) & ~size_t(63);
  if (s.bytes < bytes) {
    std::free(s.p);
    s.p = std::aligned_alloc(64, bytes);
    if (!s.p) std::abort();  // out of memory for a few MiB of scratch: nothing sensible to do
    scratchTotal.fetch_add(static_cast<int64_t>(bytes) - static_cast<int64_t>(s.bytes), std::memory_order_relaxed);
    s.bytes = bytes;
  }
  return static_cast<T*>(s.p);
}

// ---- the three instantiations -------------------------------------------
#define GRAFO_DEFINE_TABLE(NAME)                                                                          \
  const KernelTable& table() {                                                                            \
    static const KernelTable t = {                                                                        \
        NAME,                                                                                             \
        Gemm<F32>::fns(),                                                                                 \
        Gemm<F64>::fns(),                                                                                 \
        {{&VMath<F32>::unary<kIdentity, false>, &VMath<F32>::unary<kIdentity, true>},                     \
         {&VMath<F32>::unary<kExp, false>, &VMath<F32>::unary<kExp, true>},                               \
         {&VMath<F32>::unary<kLog, false>, &VMath<F32>::unary<kLog, true>},                               \
         {&VMath<F32>::unary<kTanh, false>, &VMath<F32>::unary<kTanh, true>},                             \
         {&VMath<F32>::unary<kSigmoid, false>, &VMath<F32>::unary<kSigmoid, true>},                       \
         {&VMath<F32>::unary<kRelu, false>, &VMath<F32>::unary<kRelu, true>}},                            \
        {&Binary<F32>::range<kAdd>, &Binary<F32>::range<kSub>, &Binary<F32>::range<kMul>,                 \
         &Binary<F32>::range<kDiv>, &Binary<F32>::range<kMax>, &Binary<F32>::range<kMin>},                \
        {&Binary<F64>::range<kAdd>, &Binary<F64>::range<kSub>, &Binary<F64>::range<kMul>,                 \
         &Binary<F64>::range<kDiv>, &Binary<F64>::range<kMax>, &Binary<F64>::range<kMin>},                \
        {&Binary<F32>::sumRows, &Binary<F32>::maxRows},                                                   \
        {&Binary<F64>::sumRows, &Binary<F64>::maxRows},                                                   \
        {&Softmax<F32>::rows<false>, &Softmax<F32>::rows<true>},                                          \
    };                                                                                                    \
    return t;                                                                                             \
  }

namespace scalar {
#define GRAFO_KT
#include "elementwise.inc"
#include "gemm.inc"
GRAFO_DEFINE_TABLE("scalar")
#undef GRAFO_KT
}  // namespace scalar

#if GRAFO_X86
namespace avx2 {
#define GRAFO_KT __attribute__((target("avx2,fma")))
#include "elementwise.inc"
#include "gemm.inc"
GRAFO_DEFINE_TABLE("avx2")
#undef GRAFO_KT
}  // namespace avx2

namespace avx512 {
#define GRAFO_KT __attribute__((target("avx512f,avx2,fma")))
#include "elementwise.inc"
#include "gemm.inc"
GRAFO_DEFINE_TABLE("avx512")
#undef GRAFO_KT
}  // namespace avx512
#endif

// ---- instruction-set selection ---------------------------------------------
namespace {
const KernelTable* tableByName(const char* name) {
  if (std::strcmp(name, "scalar") == 0) return &scalar::table();
#if GRAFO_X86
  __builtin_cpu_init();
  const bool fma = __builtin_cpu_supports("fma");
  const bool has2 = __builtin_cpu_supports("avx2") && fma;
  if (std::strcmp(name, "avx2") == 0) return has2 ? &avx2::table() : nullptr;
  // __builtin_cpu_supports also checks that the OS saves the zmm registers.
  if (std::strcmp(name, "avx512") == 0) return has2 && __builtin_cpu_supports("avx512f") ? &avx512::table() : nullptr;
#endif
  return nullptr;
}

const KernelTable* best() {
  for (const char* name : {"avx512", "avx2", "scalar"})
    if (const KernelTable* t = tableByName(name)) return t;
  return &scalar::table();
}

// Per calling thread, so that Node worker_threads (and test files running in
// parallel) cannot switch each other's kernels mid-computation.
thread_local const KernelTable* current = nullptr;

const KernelTable& table() {
  if (!current) {
    static const KernelTable* const chosen = best();
    current = chosen;
  }
  return *current;
}

// Below these sizes a call stays on the calling thread: handing work to another
// core costs microseconds (waking it, moving packed panels between caches), more
// than the work would save. Measured here: one product on 2 threads first wins
// at 192³ (221 vs 171 GFLOP/s) and loses at 128³ (147 vs 161) when the threads
// share a packed B; with B read in place each thread works alone after one
// hand-off, and 2 threads already win at 128³ (see kGemmInPlaceFlops).
// Independent products in a batch need no shared packing and pay off sooner.
constexpr double kGemmSharedFlops = 1 << 23;  // ≈ 2·161³
constexpr double kGemmInPlaceFlops = 1 << 21;
constexpr double kGemmBatchFlops = 1 << 21;
constexpr int64_t kTranscendentalGrain = 16384;  // elements per task
constexpr int64_t kArithmeticGrain = 65536;

}  // namespace

const char* activeIsa() { return table().name; }

bool isaSupported(const char* name) { return tableByName(name) != nullptr; }

bool setIsa(const char* name) {
  const KernelTable* t = tableByName(name);
  if (!t) return false;
  current = t;
  return true;
}

// ---- GEMM: threads split the batch, or the packing and rows of one product ----
template <class T>
const GemmFns<T>& gemmFns() {
  if constexpr (sizeof(T) == 4) return table().gemmF32;
  else return table().gemmF64;
}

/**
 * One product on all threads, BLIS-style: for each kc×nc slab of B, the
 * threads first pack its panels into one shared buffer, then each takes
 * chunks of rows of C (packing only its own rows of A). Nothing is packed
 * twice, and the many small row chunks keep threads balanced even when a
 * core is busy with another process.
 */
template <class T>
void gemmShared(const GemmFns<T>& f, const GemmCall<T>& g) {
  const int64_t step = kStep(g.k, f.kc);
  T* packedB = packBuffer<T>(1, step * f.nc);
  const int64_t rowTiles = (g.m + f.mr - 1) / f.mr;
  for (int64_t jc = 0; jc < g.n; jc += f.nc) {
    const int64_t nc = std::min(f.nc, g.n - jc);
    const int64_t panels = (nc + f.nr - 1) / f.nr;
    for (int64_t pc = 0; pc < g.k; pc += step) {
      const int64_t kc = std::min(step, g.k - pc);
      parallelRange(panels, 1, [&](int64_t p0, int64_t p1) {
        f.packSlab(g, jc, pc, kc, p0 * f.nr, std::min(nc, p1 * f.nr), packedB);
      });
      parallelRange(rowTiles, 1, [&](int64_t t0, int64_t t1) {
        f.slabRows(g, packedB, jc, nc, pc, kc, t0 * f.mr, std::min(g.m, t1 * f.mr));
      });
    }
  }
}

/**
 * Runs fn(i0, i1, j0, j1) over C cut into tiles of one row tile by up to a
 * quarter of the column panels, across the pool. Many equal pieces keep two
 * threads within a few percent of each other (11 row tiles alone split 6:5),
 * and with A read in place a column cut duplicates no packing.
 */
template <class T, class F>
void tiles(const GemmFns<T>& f, const GemmCall<T>& g, const F& fn) {
  const int64_t rowTiles = (g.m + f.mr - 1) / f.mr;
  const int64_t panels = (g.n + f.nr - 1) / f.nr;
  // Cut columns only where A is read in place (see blockRows): a packed A would be packed once a cut.
  const bool directA = g.csA == 1 && g.rsA > 0 && (g.rsA * int64_t(sizeof(T))) % 2048 != 0;
  const int64_t per = directA ? (panels + 3) / 4 : panels;  // panels a piece
  const int64_t cuts = (panels + per - 1) / per;
  parallelRange(rowTiles * cuts, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r = t / cuts, c = t % cuts;
      fn(r * f.mr, std::min(g.m, (r + 1) * f.mr), c * per * f.nr, std::min(g.n, (c + 1) * per * f.nr));
    }
  });
}

/**
 * One product of a single row tile on all threads, with B read in place: each
 * thread takes one contiguous share of the column panels (task t always the
 * same share, so that share of B stays in the L2 of whichever core took it).
 */
template <class T>
void gemmColumns(const GemmFns<T>& f, const GemmCall<T>& g) {
  const int64_t panels = (g.n + f.nr - 1) / f.nr;
  const int64_t parts = std::min<int64_t>(poolThreads(), panels);
  parallelRange(parts, 1, [&](int64_t p0, int64_t p1) {
    f.inPlaceRows(g, 0, g.m, panels * p0 / parts * f.nr, std::min(g.n, panels * p1 / parts * f.nr));
  });
}

/** One product on all threads with B read in place: one hand-off in all. */
template <class T>
void gemmInPlace(const GemmFns<T>& f, const GemmCall<T>& g) {
  tiles(f, g, [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1) { f.inPlaceRows(g, i0, i1, j0, j1); });
}

/**
 * One product (n ≤ nc) on all threads in two hand-offs: the threads pack all
 * of B (every k-block, panels split among them), then take tiles of C
 * through every k-block. gemmShared needs two hand-offs per k-block.
 */
template <class T>
void gemmPacked(const GemmFns<T>& f, const GemmCall<T>& g) {
  const int64_t step = kStep(g.k, f.kc);
  const int64_t blocks = (g.k + step - 1) / step;
  const int64_t panels = (g.n + f.nr - 1) / f.nr;
  const int64_t ncPad = panels * f.nr;
  T* packedB = packBuffer<T>(1, blocks * step * ncPad);
  parallelRange(blocks * panels, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t b = t / panels, p = t % panels;
      const int64_t pc = b * step;
      const int64_t kc = std::min(step, g.k - pc);
      f.packSlab(g, 0, pc, kc, p * f.nr, std::min(g.n, (p + 1) * f.nr), packedB + b * step * ncPad);
    }
  });
  tiles(f, g, [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    f.packedRows(g, packedB, step, ncPad, i0, i1, j0, j1);
  });
}

template <class T>
void gemm(const T* a, const T* b, T* c, const int64_t* offA, const int64_t* offB, const int64_t* offC,
          int64_t batch, int64_t m, int64_t n, int64_t k, int64_t rsA, int64_t csA, int64_t rsB, int64_t csB,
          int64_t ldc, bool accumulate, Epilogue<T> ep) {
  if (m == 0 || n == 0 || batch == 0) return;
  if (k == 0) {  // an empty sum: C = 0, or unchanged when accumulating; then the epilogue
    for (int64_t i = 0; i < batch; i++)
      for (int64_t r = 0; r < m; r++) {
        T* row = c + offC[i] + r * ldc;
        for (int64_t j = 0; j < n; j++) {
          T v = accumulate ? row[j] : T(0);
          if (ep.bias) v += ep.bias[ep.biasPerRow ? r : j];
          if (ep.act == kActRelu) v = v > T(0) ? v : T(0);
          row[j] = v;
        }
      }
    return;
  }
  const GemmFns<T>& f = gemmFns<T>();
  const GemmCall<T> base{a, b, c, m, n, k, rsA, csA, rsB, csB, ldc, accumulate, ep};
  auto item = [&](int64_t i) {
    GemmCall<T> g = base;
    g.a += offA[i];
    g.b += offB[i];
    g.c += offC[i];
    return g;
  };
  const int threads = poolThreads();
  const double flops = 2.0 * double(m) * double(n) * double(k);
  if (threads > 1 && batch >= threads && flops * double(batch) >= kGemmBatchFlops) {
    // Enough independent products to feed every thread: one product per task.
    parallelRange(batch, 1, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) f.serial(item(i));
    });
  } else if (threads > 1 && csB == 1 && m <= f.mr && k * n * int64_t(sizeof(T)) >= kSplitColumnsBBytes) {
    for (int64_t i = 0; i < batch; i++) gemmColumns(f, item(i));
  } else if (threads > 1 && csB == 1 && m > f.mr && flops >= kGemmInPlaceFlops &&
             (k * n * int64_t(sizeof(T)) <= kInPlaceBBytes ||
              (k * n * int64_t(sizeof(T)) <= kInPlaceThreadedBBytes && m <= kInPlaceThreadedRows))) {
    for (int64_t i = 0; i < batch; i++) gemmInPlace(f, item(i));
  } else if (threads > 1 && n <= f.nc && k * n * int64_t(sizeof(T)) <= kPackedOnceBytes && m > f.mr &&
             flops >= kGemmInPlaceFlops) {
    for (int64_t i = 0; i < batch; i++) gemmPacked(f, item(i));
  } else if (threads > 1 && flops >= kGemmSharedFlops) {
    for (int64_t i = 0; i < batch; i++) gemmShared(f, item(i));
  } else {
    for (int64_t i = 0; i < batch; i++) f.serial(item(i));
  }
}

template void gemm<float>(const float*, const float*, float*, const int64_t*, const int64_t*, const int64_t*,
                          int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, bool,
                          Epilogue<float>);
template void gemm<double>(const double*, const double*, double*, const int64_t*, const int64_t*,
                           const int64_t*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, bool, Epilogue<double>);

// ---- a chain of dense layers, row block by row block -------------------------
void chain(const float* x, float* out, int64_t m, const ChainLayer* layers, int count, int softmax) {
  if (m == 0 || count <= 0 || count > kMaxChain) return;
  const GemmFns<float>& f = gemmFns<float>();
  const int threads = poolThreads();
  double flops = 0;
  int64_t widest = 0;
  for (int l = 0; l < count; l++) {
    flops += 2.0 * double(m) * double(layers[l].k) * double(layers[l].n);
    widest = std::max(widest, layers[l].n);
  }
  // A layer the blocks cannot take whole (wider than one slab, or too big to pack once)
  // makes the stack run layer by layer, each a threaded product, over 256 rows at a
  // time (so the scratch for activations stays small whatever the batch).
  // So does a single row tile (batch 1) on several threads when a layer is worth
  // splitting by columns (see kSplitColumnsBBytes): the rows cannot be shared out.
  bool blockwise = true;
  for (int l = 0; l < count; l++) {
    const int64_t bytes = layers[l].k * layers[l].n * int64_t(sizeof(float));
    if (layers[l].n > f.nc || bytes > kPackedOnceBytes) blockwise = false;
    if (threads > 1 && m <= f.mr && layers[l].csB == 1 && bytes >= kSplitColumnsBBytes) blockwise = false;
  }
  if (!blockwise) {
    constexpr int64_t kRows = 256;
    float* bufs[2] = {packBuffer<float>(3, kRows * widest), packBuffer<float>(4, kRows * widest)};
    const int64_t zero = 0;
    for (int64_t i0 = 0; i0 < m; i0 += kRows) {
      const int64_t r = std::min(kRows, m - i0);
      const float* src = x + i0 * layers[0].k;
      for (int l = 0; l < count; l++) {
        const ChainLayer& L = layers[l];
        float* dst = l == count - 1 && softmax < 0 ? out + i0 * L.n : bufs[l & 1];
        gemm<float>(src, L.b, dst, &zero, &zero, &zero, 1, r, L.n, L.k, L.k, 1, L.rsB, L.csB, L.n, false,
                    Epilogue<float>{L.bias, L.act});
        src = dst;
      }
      if (softmax >= 0) softmaxRows(src, out + i0 * layers[count - 1].n, r, layers[count - 1].n, softmax == 1);
    }
    return;
  }
  // Row blocks: one per thread at least, and about 32 rows each (a few register tiles:
  // enough to reuse each panel of B, small enough that two threads stay balanced).
  const bool threaded = threads > 1 && m > 1 && flops >= kGemmInPlaceFlops;
  const int64_t blocks = threaded ? std::min<int64_t>(m, std::max<int64_t>(threads, (m + 31) / 32)) : 1;
  // B is read in place when it is row-major and the blocks are few (as in gemm());
  // otherwise every layer that needs it is packed once, up front, by all threads.
  struct Packed {
    float* p = nullptr;
    int64_t step = 0, ncPad = 0, panels = 0, kBlocks = 0;
  };
  Packed packed[kMaxChain];
  int64_t total = 0, packTasks = 0;
  for (int l = 0; l < count; l++) {
    const ChainLayer& L = layers[l];
    const bool inPlace = L.csB == 1 && (L.k * L.n * int64_t(sizeof(float)) <= kInPlaceBBytes ||
                                        (L.k * L.n * int64_t(sizeof(float)) <= kInPlaceThreadedBBytes &&
                                         m <= kInPlaceThreadedRows));
    if (inPlace) continue;
    Packed& P = packed[l];
    P.step = kStep(L.k, f.kc);
    P.kBlocks = (L.k + P.step - 1) / P.step;
    P.panels = (L.n + f.nr - 1) / f.nr;
    P.ncPad = P.panels * f.nr;
    total += P.kBlocks * P.step * P.ncPad;
    packTasks += P.kBlocks * P.panels;
  }
  if (packTasks > 0) {
    float* base = packBuffer<float>(2, total);
    for (int l = 0; l < count; l++)
      if (packed[l].ncPad) {
        packed[l].p = base;
        base += packed[l].kBlocks * packed[l].step * packed[l].ncPad;
      }
    // Task t packs one panel of one k-block of one layer.
    auto pack = [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; t++) {
        int64_t rest = t;
        int l = 0;
        while (rest >= packed[l].kBlocks * packed[l].panels) rest -= packed[l].kBlocks * packed[l].panels, l++;
        const ChainLayer& L = layers[l];
        const Packed& P = packed[l];
        const int64_t b = rest / P.panels, p = rest % P.panels, pc = b * P.step;
        const GemmCall<float> g{nullptr, L.b, nullptr, 0, L.n, L.k, 0, 1, L.rsB, L.csB, L.n, false, {}};
        f.packSlab(g, 0, pc, std::min(P.step, L.k - pc), p * f.nr, std::min(L.n, (p + 1) * f.nr),
                   P.p + b * P.step * P.ncPad);
      }
    };
    if (threaded) parallelRange(packTasks, 1, pack);
    else pack(0, packTasks);
  }
  const int64_t rows = (m + blocks - 1) / blocks;
  parallelRange(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; blk++) {
      const int64_t i0 = blk * m / blocks, i1 = (blk + 1) * m / blocks, r = i1 - i0;
      float* bufs[2] = {packBuffer<float>(3, rows * widest), packBuffer<float>(4, rows * widest)};
      const float* src = x + i0 * layers[0].k;
      for (int l = 0; l < count; l++) {
        const ChainLayer& L = layers[l];
        float* dst = l == count - 1 && softmax < 0 ? out + i0 * L.n : bufs[l & 1];
        const GemmCall<float> g{src, L.b, dst, r, L.n, L.k, L.k, 1, L.rsB, L.csB, L.n, false, {L.bias, L.act}};
        if (packed[l].p) f.packedRows(g, packed[l].p, packed[l].step, packed[l].ncPad, 0, r, 0, L.n);
        else f.inPlaceRows(g, 0, r, 0, L.n);
        src = dst;
      }
      if (softmax >= 0) {
        const int64_t n = layers[count - 1].n;
        table().softmax[softmax](src, out + i0 * n, n, 0, r);
      }
    }
  });
}

// ---- elementwise and reductions ---------------------------------------------
void unary(int op, const float* x, float* out, int64_t n, float alpha, float beta) {
  const bool affine = !(alpha == 1.0f && beta == 0.0f);
  const UnaryFn fn = table().unary[op][affine ? 1 : 0];
  const int64_t grain = op == kIdentity || op == kRelu ? kArithmeticGrain : kTranscendentalGrain;
  parallelRange(n, grain, [&](int64_t lo, int64_t hi) { fn(x + lo, out + lo, hi - lo, alpha, beta); });
}

template <class T>
void binary(int op, const BinaryCall<T>& call) {
  BinaryFn<T> fn;
  if constexpr (sizeof(T) == 4) fn = table().binaryF32[op];
  else fn = table().binaryF64[op];
  parallelRange(call.rows * call.cols, kArithmeticGrain, [&](int64_t lo, int64_t hi) { fn(call, lo, hi); });
}

template void binary<float>(int, const BinaryCall<float>&);
template void binary<double>(int, const BinaryCall<double>&);

template <class T>
void reduceRows(int op, const T* x, T* out, int64_t rows, int64_t cols) {
  ReduceFn<T> fn;
  if constexpr (sizeof(T) == 4) fn = table().reduceF32[op];
  else fn = table().reduceF64[op];
  const int64_t grain = std::max<int64_t>(1, kArithmeticGrain / std::max<int64_t>(1, cols));
  parallelRange(rows, grain, [&](int64_t r0, int64_t r1) { fn(x, out, cols, r0, r1); });
}

template void reduceRows<float>(int, const float*, float*, int64_t, int64_t);
template void reduceRows<double>(int, const double*, double*, int64_t, int64_t);

namespace {
int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
}  // namespace

// Each task is one (image, channel) pair: its kh·kw rows of columns and its image
// plane are its own, so tasks never write the same memory. Plain loops: with
// stride 1 the copies are contiguous and the compiler vectorises them.
template <class T>
void windows(const T* src, T* dst, const WindowCall& g, bool adjoint) {
  const int64_t oh = g.oh(), ow = g.ow();
  const int64_t rows = g.c * g.kh * g.kw, cols = oh * ow, plane = g.h * g.w;
  const int64_t perTask = std::max<int64_t>(1, g.kh * g.kw * cols);
  const bool padded = g.pt != 0 || g.pb != 0 || g.pl != 0 || g.pr != 0;
  parallelRange(g.n * g.c, std::max<int64_t>(1, kArithmeticGrain / perTask), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t b = t / g.c, ci = t % g.c;
      T* image = adjoint ? dst + t * plane : nullptr;
      const T* in = adjoint ? nullptr : src + t * plane;
      const int64_t colBase = b * rows * cols + ci * g.kh * g.kw * cols;
      // Without padding every column entry falls inside the image and is written below.
      if (adjoint) std::fill_n(image, plane, T(0));
      else if (padded) std::fill_n(dst + colBase, g.kh * g.kw * cols, T(0));  // padding reads as 0
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          const int64_t row = ki * g.kw + kj;
          const int64_t shift = kj * g.dw - g.pl;  // input x of output column 0
          const int64_t xLo = std::min(ow, std::max<int64_t>(0, ceilDiv(-shift, g.sw)));
          const int64_t xHi = std::min(ow, std::max<int64_t>(0, floorDiv(g.w - 1 - shift, g.sw) + 1));
          if (xLo >= xHi) continue;
          for (int64_t y = 0; y < oh; y++) {
            const int64_t iy = y * g.sh - g.pt + ki * g.dh;
            if (iy < 0 || iy >= g.h) continue;
            const int64_t line = colBase + row * cols + y * ow;
            const int64_t pixel = iy * g.w + shift;
            if (adjoint) {
              const T* c = src + line;
              for (int64_t x = xLo; x < xHi; x++) image[pixel + x * g.sw] += c[x];
            } else {
              T* c = dst + line;
              for (int64_t x = xLo; x < xHi; x++) c[x] = in[pixel + x * g.sw];
            }
          }
        }
    }
  });
}

template void windows<float>(const float*, float*, const WindowCall&, bool);
template void windows<double>(const double*, double*, const WindowCall&, bool);

void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  const SoftmaxFn fn = table().softmax[log ? 1 : 0];
  // Two exponentials an element: grain as for the transcendental maps.
  const int64_t grain = std::max<int64_t>(1, kTranscendentalGrain / std::max<int64_t>(1, cols));
  parallelRange(rows, grain, [&](int64_t r0, int64_t r1) { fn(x, out, cols, r0, r1); });
}

}  // namespace grafo
