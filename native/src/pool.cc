#include "pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GRAFO_PAUSE() _mm_pause()
#else
#define GRAFO_PAUSE() std::this_thread::yield()
#endif

namespace grafo {
namespace {

// One job: lives on the caller's stack for the duration of parallelFor.
struct Job {
  TaskFn fn;
  void* ctx;
  int64_t tasks;
  int maxWorkers;                  // workers with a higher id sit this job out
  std::atomic<int64_t> next{0};    // next task to hand out
  std::atomic<int64_t> done{0};    // tasks finished
  std::atomic<int> refs{0};        // workers still holding this job
};

// How long an idle worker spins before sleeping: long enough that a loop of
// back-to-back kernels (a training step) finds it awake, short enough not to
// burn a shared core.
constexpr auto kSpin = std::chrono::microseconds(200);

// Pauses (about 10-40 ns each) the caller spins for the last tasks of a job before it
// starts yielding its core: long enough for any task of a kernel that was worth threading.
constexpr int kPatience = 4096;

// The thread count asked for by this calling thread (0: the default, one per core).
thread_local int wanted = 0;

class Pool {
 public:
  Pool() : cores_(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) { grow(cores_ - 1); }

  int threads() const { return wanted > 0 ? wanted : cores_; }

  void setThreads(int n) {
    n = std::clamp(n, 1, 256);
    std::lock_guard<std::mutex> run(run_);
    grow(n - 1);
    wanted = n;
  }

  void run(int64_t tasks, TaskFn fn, void* ctx) {
    const int nt = threads();
    std::unique_lock<std::mutex> run(run_, std::try_to_lock);
    const auto start = std::chrono::steady_clock::now();
    if (nt <= 1 || tasks <= 1 || !run.owns_lock() || start < serialUntil_) {
      for (int64_t t = 0; t < tasks; t++) fn(ctx, t);
      return;
    }
    Job job;
    job.fn = fn;
    job.ctx = ctx;
    job.tasks = tasks;
    job.maxWorkers = nt - 1;
    {
      std::lock_guard<std::mutex> lock(m_);
      current_ = &job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    work(job);
    const auto mine = std::chrono::steady_clock::now();
    waitUntil([&] { return job.done.load(std::memory_order_acquire) >= tasks; });
    judge(start, mine, std::chrono::steady_clock::now());
    {
      // No worker can pick the job up after this, so once refs drops to zero
      // nobody touches it and it may leave the stack.
      std::lock_guard<std::mutex> lock(m_);
      current_ = nullptr;
    }
    waitUntil([&] { return job.refs.load(std::memory_order_acquire) == 0; });
  }

 private:
  static void work(Job& job) {
    for (;;) {
      const int64_t t = job.next.fetch_add(1, std::memory_order_relaxed);
      if (t >= job.tasks) return;
      job.fn(job.ctx, t);
      job.done.fetch_add(1, std::memory_order_release);
    }
  }

  // Spins for a task still running on another thread; after kPatience pauses it
  // yields instead, because on a busy machine that thread may be waiting for this
  // very core (the scheduler put both on it), and spinning would only delay it.
  template <class Done>
  static void waitUntil(const Done& done) {
    for (int i = 0; !done(); i++) {
      if (i < kPatience) GRAFO_PAUSE();
      else std::this_thread::yield();
    }
  }

  // On a machine with more runnable threads than cores, a worker may wait
  // milliseconds for a core, and the caller then waits for its task: the job
  // takes many times its serial time. A job is late when the caller waited
  // more than half as long as it worked. One late job proves nothing: on a
  // virtual machine a vCPU is held up now and then (here about 50 times a
  // second, for tens of microseconds), and treating each as a crowded machine
  // ran a third of all jobs serially. So lateness is scored, decaying by a
  // tenth a job; only a run of late jobs (the score passing 2.5: three in a
  // row, or about half of them for a while) makes jobs run serially for a
  // while (10 ms, doubling up to 0.2 s while it keeps happening, halving
  // again with each job that went well), after which threads are tried again.
  // Results do not depend on it: the split never changes them.
  void judge(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point mine,
             std::chrono::steady_clock::time_point end) {
    const auto waited = end - mine;
    const bool late = waited > std::chrono::microseconds(20) && 2 * waited > mine - start;
    lateness_ = 0.9 * lateness_ + (late ? 1.0 : 0.0);
    if (lateness_ > 2.5) {
      lateness_ = 0;
      serialUntil_ = end + backoff_;
      backoff_ = std::min(backoff_ * 2, std::chrono::steady_clock::duration(std::chrono::milliseconds(200)));
    } else if (!late) {
      backoff_ = std::max(backoff_ / 2, std::chrono::steady_clock::duration(std::chrono::milliseconds(10)));
    }
  }

  // Workers are started here and never stopped: they are detached and the
  // pool is never destroyed, so process exit needs no shutdown handshake.
  void grow(int workers) {
    while (static_cast<int>(started_) < workers) {
      const int id = started_++;
      std::thread([this, id] { loop(id); }).detach();
    }
  }

  void loop(int id) {
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      // Spin briefly on the generation counter, then sleep on the condition variable.
      // The counter is checked after every pause (a pause can take 100+ cycles),
      // the clock only every 64.
      const auto until = std::chrono::steady_clock::now() + kSpin;
      bool fresh = false;
      while (!fresh && std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 64 && !fresh; i++) {
          GRAFO_PAUSE();
          fresh = generation_.load(std::memory_order_acquire) != seen;
        }
      }
      Job* job = nullptr;
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        seen = generation_.load(std::memory_order_relaxed);
        job = current_;
        if (job && id < job->maxWorkers) job->refs.fetch_add(1, std::memory_order_relaxed);
        else job = nullptr;
      }
      if (job) {
        work(*job);
        job->refs.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  const int cores_;
  int started_ = 0;  // workers started; guarded by run_
  std::mutex run_;  // one job at a time
  std::mutex m_;    // guards current_ and the sleep/wake handshake
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  Job* current_ = nullptr;
  // The back-off of judge(); guarded by run_.
  std::chrono::steady_clock::duration backoff_ = std::chrono::milliseconds(10);
  double lateness_ = 0;
  std::chrono::steady_clock::time_point serialUntil_{};
};

Pool& pool() {
  // Leaked on purpose: detached workers may still be waiting on it at exit.
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int poolThreads() { return pool().threads(); }
void setPoolThreads(int n) { pool().setThreads(n); }
void parallelFor(int64_t tasks, TaskFn fn, void* ctx) { pool().run(tasks, fn, ctx); }

}  // namespace grafo
