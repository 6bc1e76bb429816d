// The append core: bytes and file descriptors only, no Node-API and no JSON.
// One instance owns one descriptor for one path. Callers serialise access
// (binding.cc holds a mutex around every call).
#ifndef DS01_APPEND_H
#define DS01_APPEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

namespace ds01 {

// PIPE_BUF on Linux: the most one line (newline included) may take.
constexpr size_t kMaxLineBytes = 4096;

// An end of file not known (see Appender::known_end_).
constexpr uint64_t kUnknownEnd = UINT64_MAX;

// The path is looked at (rotation, deletion, a second link) at most this often
// per writer, instead of before every append: see docs/design.md, "Follow rotation".
constexpr long kPathCheckMicros = 1000;  // 1 ms

// Codes of our own, for refusals that have no errno of their own.
constexpr int kErrLineTooLong = -1001;  // a line over kMaxLineBytes
constexpr int kErrNotRegular = -1002;   // path names a FIFO, socket, device...
constexpr int kErrBadBatch = -1003;     // empty, or not ending with '\n'
constexpr int kErrTornLine = -1004;     // a partial write we could not cut back
constexpr int kErrClosed = -1005;       // the writer was closed
constexpr int kErrHardlink = -1006;     // the file has more than one link

struct AppendError {
  int code = 0;           // 0: ok; > 0: errno; < 0: one of kErr* above
  char message[256] = {};
};

struct AppendStats {
  uint64_t appends = 0;        // successful append calls
  uint64_t bytes = 0;          // bytes written by them
  uint64_t reopens = 0;        // path renamed or deleted under us: reopened
  uint64_t lock_timeouts = 0;  // waits for the lock that reached the bound (then written unlocked)
  uint64_t lock_skips = 0;     // appends written unlocked without waiting: a recent timeout showed a stuck holder
  uint64_t rollbacks = 0;      // partial writes cut back with ftruncate (last resort)
  uint64_t reservations = 0;   // fallocate calls that reserved space ahead of the end
  uint64_t no_space = 0;       // appends refused whole (ENOSPC/EDQUOT) before any byte was written
  uint64_t seals = 0;          // torn last lines (a writer killed mid-write) ended with '\n' before our lines
};

class Appender {
 public:
  Appender(const char* path, int lock_timeout_ms);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // Appends whole lines (data must end with '\n', every line <= 4096 bytes)
  // in one write(2) under flock, after reserving the space they need (so a
  // full disk refuses them whole instead of tearing them). A file that does
  // not end in '\n' (a writer killed mid-write left a torn line) gets one
  // '\n' first, in the same write, so our lines are never glued to it.
  // Returns true when every byte landed.
  bool Append(const char* data, size_t len, AppendError* err);
  void Close();
  bool closed() const { return closed_; }
  const AppendStats& stats() const { return stats_; }

 private:
  enum PathState { kOurs, kReplaced, kMissing };
  enum LockState { kLocked, kTimedOut, kSkipped, kNoLock };
  bool OpenPath(AppendError* err);
  bool OpenAndLock(LockState* lock, struct statx* st, bool force_check, AppendError* err);
  PathState CheckPath(struct statx* st);
  void WaitForRecreate();
  LockState LockBounded();
  void Unlock(LockState lock);
  bool Reserve(const struct statx& st, uint64_t end, size_t len, bool* called, AppendError* err);
  uint64_t EndUnderLock(const struct statx& st);
  bool NeedsSeal(uint64_t* end);
  bool WriteLines(const char* data, size_t len, bool seal, bool locked, AppendError* err);
  bool WriteAll(const char* data, size_t len, bool locked, AppendError* err);
  void CloseFd();

  char* path_;
  int lock_timeout_ms_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool closed_ = false;
  long lock_skip_until_ms_ = 0;  // after a lock timeout: no waiting before this (monotonic ms)
  uint64_t reserved_end_ = 0;    // our last reservation ends here (this inode)
  uint64_t seen_end_ = 0;        // the size at our last reservation check (a smaller one shows a truncate)
  long path_checked_us_ = 0;     // when the path was last looked at (monotonic us)
  bool can_reserve_ = true;      // false once fallocate proved unsupported here
  bool can_read_ = false;        // fd_ is open for reading too (pread of the last byte, for the seal)
  // The file's size right after our last write to it (this inode), or
  // kUnknownEnd: while the size is still this, nobody wrote since, and the
  // file ends in our own '\n' (no need to look).
  uint64_t known_end_ = kUnknownEnd;
  AppendStats stats_;
};

// Sets err's code and formats its message.
void Fail(AppendError* err, int code, const char* format, ...) __attribute__((format(printf, 3, 4)));

// Name of a code for JavaScript: "EACCES", "ELINETOOLONG", ...
const char* CodeName(int code);

}  // namespace ds01

#endif  // DS01_APPEND_H
