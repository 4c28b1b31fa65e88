// Vector "traits": one small struct per (instruction set, element type) that
// names the handful of vector operations the kernels need. The kernels in
// gemm.inc and elementwise.inc are written once against these names and
// compiled three times (AVX-512, AVX2+FMA, scalar), so the maths is shared and
// only this file knows about intrinsics.
//
// Every function carries its own __attribute__((target(...))): the addon is
// compiled for the baseline x86-64 and the wide code only runs after the
// dispatcher (kernels.cc) has asked the CPU with __builtin_cpu_supports. No
// -mavx512f flag is ever given to the compiler, so nothing outside these
// functions can pick up an instruction the CPU might lack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define GRAFO_X86 1
#include <immintrin.h>
#else
#define GRAFO_X86 0
#endif

#define GRAFO_INLINE inline __attribute__((always_inline))

namespace grafo {

template <class To, class From>
GRAFO_INLINE To bitCast(From f) {
  static_assert(sizeof(To) == sizeof(From), "bitCast needs equal sizes");
  To t;
  std::memcpy(&t, &f, sizeof(To));
  return t;
}

// ---------------------------------------------------------------------------
// Scalar: a "vector" of one lane. The fallback for CPUs without AVX2 (and for
// non-x86 builds); also the reference the wide versions are tested against.
// ---------------------------------------------------------------------------
namespace scalar {
#define GRAFO_TARGET GRAFO_INLINE

template <class T>
struct Lanes {
  using V = T;
  using M = bool;
  static constexpr int W = 1;
  GRAFO_TARGET static V zero() { return T(0); }
  GRAFO_TARGET static V set1(T x) { return x; }
  GRAFO_TARGET static V load(const T* p) { return *p; }
  GRAFO_TARGET static void store(T* p, V v) { *p = v; }
  GRAFO_TARGET static V bcast(const T* p) { return *p; }
  GRAFO_TARGET static V add(V a, V b) { return a + b; }
  GRAFO_TARGET static V sub(V a, V b) { return a - b; }
  GRAFO_TARGET static V mul(V a, V b) { return a * b; }
  GRAFO_TARGET static V div(V a, V b) { return a / b; }
  GRAFO_TARGET static V fma(V a, V b, V c) { return a * b + c; }
  // max/min as the hardware does them: the second operand when either is NaN.
  GRAFO_TARGET static V maxRaw(V a, V b) { return a > b ? a : b; }
  GRAFO_TARGET static V minRaw(V a, V b) { return a < b ? a : b; }
  GRAFO_TARGET static M isNaN(V a) { return a != a; }
  GRAFO_TARGET static M lt(V a, V b) { return a < b; }
  GRAFO_TARGET static M ge(V a, V b) { return a >= b; }
  GRAFO_TARGET static M eq(V a, V b) { return a == b; }
  GRAFO_TARGET static V select(M m, V a, V b) { return m ? a : b; }
  GRAFO_TARGET static M orM(M a, M b) { return a || b; }
  GRAFO_TARGET static bool anyM(M m) { return m; }
  GRAFO_TARGET static T hsum(V v) { return v; }
};

// Bitwise and/or of the representations (used to order +0 above -0 in max/min).
GRAFO_INLINE float andBits(float a, float b) { return bitCast<float>(bitCast<uint32_t>(a) & bitCast<uint32_t>(b)); }
GRAFO_INLINE float orBits(float a, float b) { return bitCast<float>(bitCast<uint32_t>(a) | bitCast<uint32_t>(b)); }
GRAFO_INLINE double andBits(double a, double b) {
  return bitCast<double>(bitCast<uint64_t>(a) & bitCast<uint64_t>(b));
}
GRAFO_INLINE double orBits(double a, double b) {
  return bitCast<double>(bitCast<uint64_t>(a) | bitCast<uint64_t>(b));
}

// Row sums accumulate in float64, as the js reference kernel does.
struct F64Acc {
  using V = double;
  static constexpr int W = 1;
  GRAFO_TARGET static V zero() { return 0.0; }
  GRAFO_TARGET static V loadWiden(const float* p) { return *p; }
  GRAFO_TARGET static V loadWiden(const double* p) { return *p; }
  GRAFO_TARGET static V add(V a, V b) { return a + b; }
  GRAFO_TARGET static double hsum(V v) { return v; }
};

// float32 extras for the transcendental functions: integer views of the bits.
struct F32 : Lanes<float> {
  using T = float;
  using I = int32_t;
  using Acc = F64Acc;
  GRAFO_TARGET static V andBits(V a, V b) { return scalar::andBits(a, b); }
  GRAFO_TARGET static V orBits(V a, V b) { return scalar::orBits(a, b); }
  // GEMM register tile: 4 rows x 4 columns of scalars.
  static constexpr int MR = 4, NR = 4;
  GRAFO_TARGET static V abs(V a) { return bitCast<float>(bitCast<uint32_t>(a) & 0x7fffffffu); }
  GRAFO_TARGET static V copySign(V mag, V sgn) {
    return bitCast<float>((bitCast<uint32_t>(mag) & 0x7fffffffu) | (bitCast<uint32_t>(sgn) & 0x80000000u));
  }
  GRAFO_TARGET static V roundNearest(V a) { return __builtin_rintf(a); }
  GRAFO_TARGET static I toInt(V a) { return static_cast<I>(a); }  // exact: a is already integral
  GRAFO_TARGET static V toFloat(I i) { return static_cast<float>(i); }
  GRAFO_TARGET static I bits(V a) { return bitCast<I>(a); }
  GRAFO_TARGET static V fromBits(I i) { return bitCast<float>(i); }
  GRAFO_TARGET static I iadd(I a, I b) { return a + b; }
  GRAFO_TARGET static I isub(I a, I b) { return a - b; }
  GRAFO_TARGET static I iset1(int32_t x) { return x; }
  GRAFO_TARGET static I iand(I a, I b) { return a & b; }
  GRAFO_TARGET static I ior(I a, I b) { return a | b; }
  GRAFO_TARGET static I shl23(I a) { return static_cast<I>(static_cast<uint32_t>(a) << 23); }
  GRAFO_TARGET static I sra23(I a) { return a >> 23; }
  GRAFO_TARGET static I sra1(I a) { return a >> 1; }
  GRAFO_TARGET static I iselect(M m, I a, I b) { return m ? a : b; }
};

struct F64 : Lanes<double> {
  using T = double;
  using Acc = F64Acc;
  static constexpr int MR = 4, NR = 4;
  GRAFO_TARGET static V andBits(V a, V b) { return scalar::andBits(a, b); }
  GRAFO_TARGET static V orBits(V a, V b) { return scalar::orBits(a, b); }
};
#undef GRAFO_TARGET
}  // namespace scalar

#if GRAFO_X86
// ---------------------------------------------------------------------------
// AVX2 + FMA: 8 floats / 4 doubles per ymm register, 16 registers.
// ---------------------------------------------------------------------------
namespace avx2 {
#define GRAFO_TARGET GRAFO_INLINE __attribute__((target("avx2,fma")))

struct F32Wide;

struct F32 {
  using T = float;
  using V = __m256;
  using M = __m256;  // AVX2 masks are all-ones / all-zeros lanes
  using I = __m256i;
  using Acc = F32Wide;
  static constexpr int W = 8;
  // 6 rows x 16 columns: 12 accumulators + 2 B vectors + 1 broadcast of 16 ymm.
  static constexpr int MR = 6, NR = 16;
  GRAFO_TARGET static V zero() { return _mm256_setzero_ps(); }
  GRAFO_TARGET static V set1(T x) { return _mm256_set1_ps(x); }
  GRAFO_TARGET static V load(const T* p) { return _mm256_loadu_ps(p); }
  GRAFO_TARGET static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  GRAFO_TARGET static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  GRAFO_TARGET static V add(V a, V b) { return _mm256_add_ps(a, b); }
  GRAFO_TARGET static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  GRAFO_TARGET static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  GRAFO_TARGET static V div(V a, V b) { return _mm256_div_ps(a, b); }
  GRAFO_TARGET static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  GRAFO_TARGET static V maxRaw(V a, V b) { return _mm256_max_ps(a, b); }
  GRAFO_TARGET static V minRaw(V a, V b) { return _mm256_min_ps(a, b); }
  GRAFO_TARGET static M isNaN(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  GRAFO_TARGET static M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  GRAFO_TARGET static M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  GRAFO_TARGET static M eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  GRAFO_TARGET static V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  GRAFO_TARGET static V andBits(V a, V b) { return _mm256_and_ps(a, b); }
  GRAFO_TARGET static V orBits(V a, V b) { return _mm256_or_ps(a, b); }
  GRAFO_TARGET static M orM(M a, M b) { return _mm256_or_ps(a, b); }
  GRAFO_TARGET static bool anyM(M m) { return _mm256_movemask_ps(m) != 0; }
  GRAFO_TARGET static T hsum(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  GRAFO_TARGET static V abs(V a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  GRAFO_TARGET static V copySign(V mag, V sgn) {
    const __m256 signBit = _mm256_castsi256_ps(_mm256_set1_epi32(int32_t(0x80000000u)));
    return _mm256_or_ps(_mm256_andnot_ps(signBit, mag), _mm256_and_ps(signBit, sgn));
  }
  GRAFO_TARGET static V roundNearest(V a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  GRAFO_TARGET static I toInt(V a) { return _mm256_cvtps_epi32(a); }
  GRAFO_TARGET static V toFloat(I i) { return _mm256_cvtepi32_ps(i); }
  GRAFO_TARGET static I bits(V a) { return _mm256_castps_si256(a); }
  GRAFO_TARGET static V fromBits(I i) { return _mm256_castsi256_ps(i); }
  GRAFO_TARGET static I iadd(I a, I b) { return _mm256_add_epi32(a, b); }
  GRAFO_TARGET static I isub(I a, I b) { return _mm256_sub_epi32(a, b); }
  GRAFO_TARGET static I iset1(int32_t x) { return _mm256_set1_epi32(x); }
  GRAFO_TARGET static I iand(I a, I b) { return _mm256_and_si256(a, b); }
  GRAFO_TARGET static I ior(I a, I b) { return _mm256_or_si256(a, b); }
  GRAFO_TARGET static I shl23(I a) { return _mm256_slli_epi32(a, 23); }
  GRAFO_TARGET static I sra23(I a) { return _mm256_srai_epi32(a, 23); }
  GRAFO_TARGET static I sra1(I a) { return _mm256_srai_epi32(a, 1); }
  GRAFO_TARGET static I iselect(M m, I a, I b) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  using M = __m256d;
  using Acc = F64;
  static constexpr int W = 4;
  static constexpr int MR = 6, NR = 8;
  GRAFO_TARGET static V zero() { return _mm256_setzero_pd(); }
  GRAFO_TARGET static V set1(T x) { return _mm256_set1_pd(x); }
  GRAFO_TARGET static V load(const T* p) { return _mm256_loadu_pd(p); }
  GRAFO_TARGET static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  GRAFO_TARGET static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  GRAFO_TARGET static V add(V a, V b) { return _mm256_add_pd(a, b); }
  GRAFO_TARGET static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  GRAFO_TARGET static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  GRAFO_TARGET static V div(V a, V b) { return _mm256_div_pd(a, b); }
  GRAFO_TARGET static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  GRAFO_TARGET static V maxRaw(V a, V b) { return _mm256_max_pd(a, b); }
  GRAFO_TARGET static V minRaw(V a, V b) { return _mm256_min_pd(a, b); }
  GRAFO_TARGET static M isNaN(V a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
  GRAFO_TARGET static M eq(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
  GRAFO_TARGET static V select(M m, V a, V b) { return _mm256_blendv_pd(b, a, m); }
  GRAFO_TARGET static V andBits(V a, V b) { return _mm256_and_pd(a, b); }
  GRAFO_TARGET static V orBits(V a, V b) { return _mm256_or_pd(a, b); }
  GRAFO_TARGET static V loadWiden(const T* p) { return load(p); }
  GRAFO_TARGET static M orM(M a, M b) { return _mm256_or_pd(a, b); }
  GRAFO_TARGET static bool anyM(M m) { return _mm256_movemask_pd(m) != 0; }
  GRAFO_TARGET static T hsum(V v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

// Sums and maxima of float32 rows accumulate in float64, as the js reference does.
struct F32Wide {
  using V = __m256d;
  static constexpr int W = 4;  // float32 lanes consumed per widening step
  GRAFO_TARGET static V zero() { return _mm256_setzero_pd(); }
  GRAFO_TARGET static V loadWiden(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  GRAFO_TARGET static V add(V a, V b) { return _mm256_add_pd(a, b); }
  GRAFO_TARGET static double hsum(V v) { return F64::hsum(v); }
};
#undef GRAFO_TARGET
}  // namespace avx2

// ---------------------------------------------------------------------------
// AVX-512F: 16 floats / 8 doubles per zmm register, 32 registers, mask registers.
// ---------------------------------------------------------------------------
namespace avx512 {
#define GRAFO_TARGET GRAFO_INLINE __attribute__((target("avx512f,avx2,fma")))

struct F32Wide;

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  using I = __m512i;
  using Acc = F32Wide;
  static constexpr int W = 16;
  // 12 rows x 32 columns: 24 accumulators + 2 B vectors + broadcasts of 32 zmm.
  static constexpr int MR = 12, NR = 32;
  GRAFO_TARGET static V zero() { return _mm512_setzero_ps(); }
  GRAFO_TARGET static V set1(T x) { return _mm512_set1_ps(x); }
  GRAFO_TARGET static V load(const T* p) { return _mm512_loadu_ps(p); }
  GRAFO_TARGET static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  GRAFO_TARGET static V bcast(const T* p) { return _mm512_set1_ps(*p); }
  GRAFO_TARGET static V add(V a, V b) { return _mm512_add_ps(a, b); }
  GRAFO_TARGET static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  GRAFO_TARGET static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  GRAFO_TARGET static V div(V a, V b) { return _mm512_div_ps(a, b); }
  GRAFO_TARGET static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  GRAFO_TARGET static V maxRaw(V a, V b) { return _mm512_max_ps(a, b); }
  GRAFO_TARGET static V minRaw(V a, V b) { return _mm512_min_ps(a, b); }
  GRAFO_TARGET static M isNaN(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  GRAFO_TARGET static M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  GRAFO_TARGET static M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  GRAFO_TARGET static M eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  GRAFO_TARGET static V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  GRAFO_TARGET static V andBits(V a, V b) {
    return _mm512_castsi512_ps(_mm512_and_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  }
  GRAFO_TARGET static V orBits(V a, V b) {
    return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  }
  GRAFO_TARGET static M orM(M a, M b) { return static_cast<M>(a | b); }
  GRAFO_TARGET static bool anyM(M m) { return m != 0; }
  GRAFO_TARGET static T hsum(V v) { return _mm512_reduce_add_ps(v); }
  GRAFO_TARGET static V abs(V a) { return _mm512_abs_ps(a); }
  GRAFO_TARGET static V copySign(V mag, V sgn) {
    const __m512i signBit = _mm512_set1_epi32(int32_t(0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_andnot_epi32(signBit, _mm512_castps_si512(mag)),
                                               _mm512_and_epi32(signBit, _mm512_castps_si512(sgn))));
  }
  GRAFO_TARGET static V roundNearest(V a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  GRAFO_TARGET static I toInt(V a) { return _mm512_cvtps_epi32(a); }
  GRAFO_TARGET static V toFloat(I i) { return _mm512_cvtepi32_ps(i); }
  GRAFO_TARGET static I bits(V a) { return _mm512_castps_si512(a); }
  GRAFO_TARGET static V fromBits(I i) { return _mm512_castsi512_ps(i); }
  GRAFO_TARGET static I iadd(I a, I b) { return _mm512_add_epi32(a, b); }
  GRAFO_TARGET static I isub(I a, I b) { return _mm512_sub_epi32(a, b); }
  GRAFO_TARGET static I iset1(int32_t x) { return _mm512_set1_epi32(x); }
  GRAFO_TARGET static I iand(I a, I b) { return _mm512_and_epi32(a, b); }
  GRAFO_TARGET static I ior(I a, I b) { return _mm512_or_epi32(a, b); }
  GRAFO_TARGET static I shl23(I a) { return _mm512_slli_epi32(a, 23); }
  GRAFO_TARGET static I sra23(I a) { return _mm512_srai_epi32(a, 23); }
  GRAFO_TARGET static I sra1(I a) { return _mm512_srai_epi32(a, 1); }
  GRAFO_TARGET static I iselect(M m, I a, I b) { return _mm512_mask_blend_epi32(m, b, a); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  using Acc = F64;
  static constexpr int W = 8;
  static constexpr int MR = 12, NR = 16;
  GRAFO_TARGET static V zero() { return _mm512_setzero_pd(); }
  GRAFO_TARGET static V set1(T x) { return _mm512_set1_pd(x); }
  GRAFO_TARGET static V load(const T* p) { return _mm512_loadu_pd(p); }
  GRAFO_TARGET static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  GRAFO_TARGET static V bcast(const T* p) { return _mm512_set1_pd(*p); }
  GRAFO_TARGET static V add(V a, V b) { return _mm512_add_pd(a, b); }
  GRAFO_TARGET static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  GRAFO_TARGET static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  GRAFO_TARGET static V div(V a, V b) { return _mm512_div_pd(a, b); }
  GRAFO_TARGET static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  GRAFO_TARGET static V maxRaw(V a, V b) { return _mm512_max_pd(a, b); }
  GRAFO_TARGET static V minRaw(V a, V b) { return _mm512_min_pd(a, b); }
  GRAFO_TARGET static M isNaN(V a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  GRAFO_TARGET static M eq(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  GRAFO_TARGET static V select(M m, V a, V b) { return _mm512_mask_blend_pd(m, b, a); }
  GRAFO_TARGET static V andBits(V a, V b) {
    return _mm512_castsi512_pd(_mm512_and_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
  }
  GRAFO_TARGET static V orBits(V a, V b) {
    return _mm512_castsi512_pd(_mm512_or_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
  }
  GRAFO_TARGET static V loadWiden(const T* p) { return load(p); }
  GRAFO_TARGET static M orM(M a, M b) { return static_cast<M>(a | b); }
  GRAFO_TARGET static bool anyM(M m) { return m != 0; }
  GRAFO_TARGET static T hsum(V v) { return _mm512_reduce_add_pd(v); }
};

struct F32Wide {
  using V = __m512d;
  static constexpr int W = 8;
  GRAFO_TARGET static V zero() { return _mm512_setzero_pd(); }
  GRAFO_TARGET static V loadWiden(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
  GRAFO_TARGET static V add(V a, V b) { return _mm512_add_pd(a, b); }
  GRAFO_TARGET static double hsum(V v) { return _mm512_reduce_add_pd(v); }
};
#undef GRAFO_TARGET
}  // namespace avx512
#endif  // GRAFO_X86

}  // namespace grafo
