// Comparisons into a bool mask, and where(mask, a, b): ReLU on eager tensors is
// where(x > 0, x, 0), and in JavaScript those two passes cost more than the
// matrix product before them. Plain loops over rows × cols with the operand
// modes of the binary kernels (a scalar, a bias row, a value per row); the
// compiler vectorizes them, and large calls split across the pool.
#include <cstdint>
#include <type_traits>

#include "kernels.h"
#include "pool.h"

namespace grafo {
namespace {

constexpr int64_t kSelectGrain = 65536;  // elements per task: one memory pass, as the arithmetic maps

/** out[j] = f(a[j·sa], b[j·sb]) for j < n, with sa, sb ∈ {0, 1}: one loop each, so each vectorizes. */
template <class T, class F>
void runs(const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* out, int64_t n, F f) {
  if (sa && sb)
    for (int64_t j = 0; j < n; j++) out[j] = f(a[j], b[j]);
  else if (sa)
    for (int64_t j = 0, y = 0; j < n; j++) out[j] = f(a[j], b[y]);
  else if (sb)
    for (int64_t j = 0, x = 0; j < n; j++) out[j] = f(a[x], b[j]);
  else
    for (int64_t j = 0; j < n; j++) out[j] = f(a[0], b[0]);
}

template <class T>
void compareRow(int op, const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* out, int64_t n) {
  switch (op) {
    case kEqual: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x == y; });
    case kNotEqual: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x != y; });
    case kLess: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x < y; });
    case kLessEqual: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x <= y; });
    case kGreater: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x > y; });
    default: return runs(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x >= y; });
  }
}

/** The unsigned integer of T's width, allowed to alias T: where() moves bits, never values. */
template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t> __attribute__((__may_alias__));

/**
 * out[j] = c[j] ? a[j·sa] : b[j·sb] as a bit blend with a mask of all ones or
 * zeros: no branch on the (unpredictable) condition, and the chosen value's
 * bits exactly, NaN payloads and −0 included.
 */
template <class T>
void selectRow(const uint8_t* c, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n) {
  using U = Bits<T>;
  const U* x = reinterpret_cast<const U*>(a);
  const U* y = reinterpret_cast<const U*>(b);
  U* o = reinterpret_cast<U*>(out);
  const auto blend = [](uint8_t k, U p, U q) -> U {
    const U m = U(0) - U(k != 0);
    return (p & m) | (q & ~m);
  };
  if (sa && sb)
    for (int64_t j = 0; j < n; j++) o[j] = blend(c[j], x[j], y[j]);
  else if (sa)
    for (int64_t j = 0; j < n; j++) o[j] = blend(c[j], x[j], y[0]);
  else if (sb)
    for (int64_t j = 0; j < n; j++) o[j] = blend(c[j], x[0], y[j]);
  else
    for (int64_t j = 0; j < n; j++) o[j] = blend(c[j], x[0], y[0]);
}

/** Rows [r0, r1) in tasks of whole rows, at least kSelectGrain elements each. */
template <class F>
void byRows(int64_t rows, int64_t cols, const F& f) {
  parallelRange(rows, std::max<int64_t>(1, kSelectGrain / std::max<int64_t>(1, cols)), f);
}

}  // namespace

template <class T>
void compare(int op, const T* a, int modeA, const T* b, int modeB, uint8_t* out, int64_t rows, int64_t cols) {
  byRows(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++)
      compareRow(op, operandAt(a, modeA, r, 0, cols), isVector(modeA) ? 1 : 0, operandAt(b, modeB, r, 0, cols),
                 isVector(modeB) ? 1 : 0, out + r * cols, cols);
  });
}

template <class T>
void select(const uint8_t* c, const T* a, int modeA, const T* b, int modeB, T* out, int64_t rows, int64_t cols) {
  byRows(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++)
      selectRow(c + r * cols, operandAt(a, modeA, r, 0, cols), isVector(modeA) ? 1 : 0,
                operandAt(b, modeB, r, 0, cols), isVector(modeB) ? 1 : 0, out + r * cols, cols);
  });
}

template void compare<float>(int, const float*, int, const float*, int, uint8_t*, int64_t, int64_t);
template void compare<double>(int, const double*, int, const double*, int, uint8_t*, int64_t, int64_t);
template void select<float>(const uint8_t*, const float*, int, const float*, int, float*, int64_t, int64_t);
template void select<double>(const uint8_t*, const double*, int, const double*, int, double*, int64_t, int64_t);

}  // namespace grafo
