// Layout kernels: a strided view made contiguous (the copies of a compiled
// plan: broadcasts, transposes, slices) and a reduction over a middle axis
// (pooling's max or sum over the window rows of im2col's columns). Both are
// memory bound, so plain loops the compiler vectorizes are enough: what they
// save is the JavaScript loop, and large calls split across the pool.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "pool.h"

namespace grafo {
namespace {

/** Elements per task: these kernels do one memory pass each, like kernels.cc's arithmetic maps. */
constexpr int64_t kLayoutGrain = 65536;

}  // namespace

template <class T>
void copyStrided(const T* src, T* dst, const int64_t* shape, const int64_t* strides, int rank) {
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  const int64_t inner = shape[rank - 1];
  const int64_t step = strides[rank - 1];
  int64_t lines = 1;
  for (int d = 0; d < rank - 1; d++) lines *= shape[d];
  if (inner == 0 || lines == 0) return;
  parallelRange(lines, std::max<int64_t>(1, kLayoutGrain / inner), [&](int64_t l0, int64_t l1) {
    // Where line l0 starts: its index over the outer axes, last axis fastest.
    int64_t idx[kMaxCopyRank] = {};
    int64_t base = 0;
    for (int64_t rest = l0, d = rank - 2; d >= 0; d--) {
      idx[d] = rest % shape[d];
      rest /= shape[d];
      base += idx[d] * strides[d];
    }
    T* out = dst + l0 * inner;
    for (int64_t l = l0; l < l1; l++, out += inner) {
      const T* in = src + base;
      if (step == 1) std::memcpy(out, in, sizeof(T) * inner);
      else if (step == 0) std::fill(out, out + inner, in[0]);
      else
        for (int64_t j = 0; j < inner; j++) out[j] = in[j * step];
      for (int d = rank - 2; d >= 0; d--) {
        base += strides[d];
        if (++idx[d] < shape[d]) break;
        base -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
  });
}

template void copyStrided<float>(const float*, float*, const int64_t*, const int64_t*, int);
template void copyStrided<double>(const double*, double*, const int64_t*, const int64_t*, int);

template <class T>
void reduceMiddle(int op, const T* x, T* out, int64_t outer, int64_t mid, int64_t inner) {
  if (outer == 0 || inner == 0) return;
  constexpr int64_t kChunk = 64;
  const double init = op == kSum ? 0.0 : -std::numeric_limits<double>::infinity();
  const int64_t grain = std::max<int64_t>(1, kLayoutGrain / std::max<int64_t>(1, mid * inner));
  parallelRange(outer, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++) {
      const T* row = x + o * mid * inner;
      // A chunk of outputs at a time, accumulated in float64 in the order m = 0, 1, …
      // as grafo's js reduction does, so sums agree exactly.
      for (int64_t i0 = 0; i0 < inner; i0 += kChunk) {
        const int64_t n = std::min(kChunk, inner - i0);
        double acc[kChunk];
        for (int64_t i = 0; i < n; i++) acc[i] = init;
        for (int64_t m = 0; m < mid; m++) {
          const T* in = row + m * inner + i0;
          if (op == kSum)
            for (int64_t i = 0; i < n; i++) acc[i] += in[i];
          else
            for (int64_t i = 0; i < n; i++) {
              const double v = in[i];
              acc[i] = v > acc[i] || v != v ? v : acc[i];  // NaN wins, as in numpy and the js kernel
            }
        }
        T* o_ = out + o * inner + i0;
        for (int64_t i = 0; i < n; i++) o_[i] = static_cast<T>(acc[i]);
      }
    }
  });
}

template void reduceMiddle<float>(int, const float*, float*, int64_t, int64_t, int64_t);
template void reduceMiddle<double>(int, const double*, double*, int64_t, int64_t, int64_t);

}  // namespace grafo
