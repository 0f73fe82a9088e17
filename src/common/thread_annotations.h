// Lock annotations for clang's thread-safety analysis (-Wthread-safety), and a mutex the analysis
// understands. Under g++ the macros expand to nothing. scripts/lint compiles the annotated units
// with clang and -Werror=thread-safety, so touching guarded state without its lock fails there.
//
//   class Queue {
//     Mutex mu_;
//     std::deque<int> items_ GUARDED_BY(mu_);
//     void PushLocked(int v) REQUIRES(mu_);
//   };
//   MutexLock lock(mu_);          // instead of std::lock_guard
//   UniqueMutexLock lock(mu_);    // instead of std::unique_lock, e.g. for a condition variable
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define LANDSLIDE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LANDSLIDE_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) LANDSLIDE_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY LANDSLIDE_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) LANDSLIDE_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) LANDSLIDE_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) LANDSLIDE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LANDSLIDE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) LANDSLIDE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LANDSLIDE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) LANDSLIDE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS LANDSLIDE_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace landslide {

// std::mutex, as a capability the analysis tracks.
class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // The std::mutex itself, for a std::condition_variable (see UniqueMutexLock).
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// std::lock_guard for a Mutex.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// std::unique_lock for a Mutex, to wait on a std::condition_variable: the lock is held again
// whenever a wait returns, which is all the analysis needs to know. Wait in a loop over the
// condition (the analysis cannot see into a predicate lambda):
//   while (queue_.empty() && !stopping_) lock.Wait(cv_);
class SCOPED_CAPABILITY UniqueMutexLock {
 public:
  explicit UniqueMutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.native()) {}
  ~UniqueMutexLock() RELEASE() {}
  UniqueMutexLock(const UniqueMutexLock&) = delete;
  UniqueMutexLock& operator=(const UniqueMutexLock&) = delete;

  void Wait(std::condition_variable& cv) { cv.wait(lock_); }
  // no_timeout when woken (or spuriously), timeout once `deadline` has passed.
  template <typename TimePoint>
  std::cv_status WaitUntil(std::condition_variable& cv, TimePoint deadline) {
    return cv.wait_until(lock_, deadline);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace landslide
