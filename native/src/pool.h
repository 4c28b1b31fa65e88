// A fixed pool of worker threads, created once, that splits one job at a time
// into tasks. The calling thread works too, so "2 threads" means the caller
// plus one worker. Kernels below a size threshold never come here: waking a
// thread costs microseconds, which small ops cannot win back.
#pragma once

#include <algorithm>
#include <cstdint>

namespace grafo {

/** fn(ctx, task) for task in [0, tasks). */
using TaskFn = void (*)(void* ctx, int64_t task);

/**
 * How many threads (caller included) parallelFor may use for calls from this
 * thread; starts at the number of cores. The setting is per calling thread, so
 * each Node worker_thread has its own.
 */
int poolThreads();

/** Sets that number for calls from this thread (clamped to [1, 256]); starts any missing workers. */
void setPoolThreads(int n);

/**
 * Runs fn(ctx, t) for every t in [0, tasks) across up to poolThreads() threads
 * and returns when all are done. Tasks are handed out dynamically, so a core
 * slowed by another process just takes fewer of them. If another thread is
 * already running a job (Node worker_threads), this one runs serially instead
 * of waiting.
 */
void parallelFor(int64_t tasks, TaskFn fn, void* ctx);

/**
 * f(lo, hi) over [0, n) in tasks of at least `grain` units (up to four a
 * thread, for balance), across the pool when n is at least two grains.
 */
template <class F>
void parallelRange(int64_t n, int64_t grain, const F& f) {
  const int threads = poolThreads();
  if (threads <= 1 || n < 2 * grain) {
    f(int64_t(0), n);
    return;
  }
  struct Ctx {
    const F* f;
    int64_t n, tasks;
  } ctx{&f, n, std::min<int64_t>(int64_t(threads) * 4, n / grain)};
  parallelFor(
      ctx.tasks,
      [](void* p, int64_t t) {
        const Ctx& c = *static_cast<const Ctx*>(p);
        (*c.f)(c.n * t / c.tasks, c.n * (t + 1) / c.tasks);
      },
      &ctx);
}

}  // namespace grafo
