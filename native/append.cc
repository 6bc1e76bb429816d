// The append core. Portable to glibc 2.28: statx (GLIBC_2.28) stands in for
// stat/fstat, whose GLIBC_2.33 symbols a Debian 12 build would otherwise need.
#include "append.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

namespace ds01 {

namespace {

// O_NOCTTY: a terminal named by mistake must not become our controlling tty before it is refused.
// O_RDWR, not O_WRONLY: the seal reads the file's last byte. A writer that may
// only write the file opens it O_WRONLY and cannot seal (see OpenFile).
constexpr int kOpenFlags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
constexpr int kWriteOnlyFlags = (kOpenFlags & ~O_RDWR) | O_WRONLY;
constexpr mode_t kFileMode = 0660;  // the spec: root:docker 0660, not for every local user
constexpr mode_t kDirMode = 0775;
constexpr long kCreateWindowMs = 50;
constexpr long kRecreateWaitMs = 100;
// After a lock wait reaches the bound, appends for this many bounds try the
// lock once and do not wait: a holder that never lets go costs one bound in
// every 100 (100 ms per 10 s by default, 1 %), not one bound per append.
constexpr long kLockCooldownBounds = 100;
// How many times NeedsSeal looks at an end that others keep moving.
constexpr int kSealLooks = 8;
// Space reserved ahead of the end at a time (one fallocate per 64 KiB of growth).
constexpr uint64_t kReserveChunk = 65536;  // 64 KiB
constexpr unsigned kStatMask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE | STATX_BLOCKS;

bool StatFd(int fd, struct statx* st) {
  return statx(fd, "", AT_EMPTY_PATH, kStatMask, st) == 0;
}

bool StatPath(const char* path, struct statx* st) {
  return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, kStatMask, st) == 0;
}

dev_t DevOf(const struct statx& st) { return makedev(st.stx_dev_major, st.stx_dev_minor); }

const char* TypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

void SetErrno(AppendError* err, int code, const char* what, const char* path) {
  char buf[128];
  Fail(err, code, "%s %s: %s", what, path, strerror_r(code, buf, sizeof buf));
}

void SleepMicros(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

long NowMillis() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

long NowMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

// mkdir -p for the parents of path, 0775 whatever the umask; a setgid bit the
// new directory inherited (the deployment's 2775 log dir) is kept.
void MakeParents(const char* path) {
  char* copy = strdup(path);
  if (copy == nullptr) return;
  for (char* p = copy + 1; *p != '\0'; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(copy, kDirMode) == 0) {
      struct statx st;
      if (StatPath(copy, &st)) chmod(copy, kDirMode | (st.stx_mode & S_ISGID));
    }
    *p = '/';
  }
  free(copy);
}

// open(2) an existing path for reading and writing, or, when we may only
// write it, write-only (*readable false). -1 and errno on failure.
int OpenFile(const char* path, bool* readable) {
  int fd = open(path, kOpenFlags);
  *readable = fd >= 0;
  if (fd < 0 && (errno == EACCES || errno == EPERM)) fd = open(path, kWriteOnlyFlags);
  return fd;
}

// open(2) the path, creating it (and its parents) when missing. -1 and errno on failure.
int OpenOrCreate(const char* path, bool* created, bool* readable) {
  bool made_parents = false;
  for (int attempt = 0; attempt < 4; attempt++) {
    int fd = OpenFile(path, readable);
    if (fd >= 0 || errno != ENOENT) return fd;
    // Create it ourselves (O_EXCL) so we know to set the mode past the umask.
    fd = open(path, kOpenFlags | O_CREAT | O_EXCL, kFileMode);
    if (fd >= 0) {
      *created = true;
      *readable = true;
      return fd;
    }
    if (errno == ENOENT && !made_parents) {
      MakeParents(path);
      made_parents = true;
    } else if (errno != EEXIST) {
      return -1;
    }
  }
  return -1;
}

// Was the path's inode changed (created, chowned, chmodded) in the last two
// seconds? Keeps errno as it was.
bool JustChanged(const char* path) {
  int saved = errno;
  struct statx st;
  struct timespec now;
  bool recent = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_CTIME, &st) == 0 &&
                clock_gettime(CLOCK_REALTIME, &now) == 0 && now.tv_sec - st.stx_ctime.tv_sec < 2;
  errno = saved;
  return recent;
}

// Every line ends with '\n' and is at most kMaxLineBytes long, newline included.
int CheckLines(const char* data, size_t len) {
  if (len == 0 || data[len - 1] != '\n') return kErrBadBatch;
  const char* p = data;
  const char* end = data + len;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    if (static_cast<size_t>(nl - p) + 1 > kMaxLineBytes) return kErrLineTooLong;
    p = nl + 1;
  }
  return 0;
}

}  // namespace

void Fail(AppendError* err, int code, const char* format, ...) {
  err->code = code;
  va_list args;
  va_start(args, format);
  (void)vsnprintf(err->message, sizeof err->message, format, args);
  va_end(args);
}

const char* CodeName(int code) {
  switch (code) {
    case 0: return "OK";
    case kErrLineTooLong: return "ELINETOOLONG";
    case kErrNotRegular: return "ENOTREGULAR";
    case kErrBadBatch: return "EBADLINES";
    case kErrTornLine: return "ETORNLINE";
    case kErrClosed: return "ECLOSED";
    case kErrHardlink: return "EHARDLINK";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EROFS: return "EROFS";
    case ELOOP: return "ELOOP";
    case EFBIG: return "EFBIG";
    case EIO: return "EIO";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENXIO: return "ENXIO";
    case ETXTBSY: return "ETXTBSY";
    default: return "EUNKNOWN";
  }
}

Appender::Appender(const char* path, int lock_timeout_ms)
    : path_(strdup(path)), lock_timeout_ms_(lock_timeout_ms < 0 ? 0 : lock_timeout_ms) {}

Appender::~Appender() {
  CloseFd();
  free(path_);
}

void Appender::Close() {
  CloseFd();
  closed_ = true;
}

void Appender::CloseFd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool Appender::OpenPath(AppendError* err) {
  if (path_ == nullptr) {
    Fail(err, ENOMEM, "out of memory");
    return false;
  }
  bool created = false;
  bool readable = false;
  int fd = OpenOrCreate(path_, &created, &readable);
  // logrotate's `create` makes the new file 0600 root, then chowns and chmods
  // it: a writer reopening in that instant gets EACCES. When the file changed
  // just now, wait that out (a few ms at most) rather than refuse the event.
  long deadline = NowMillis() + kCreateWindowMs;
  while (fd < 0 && (errno == EACCES || errno == EPERM) && JustChanged(path_) && NowMillis() < deadline) {
    SleepMicros(500);
    fd = OpenOrCreate(path_, &created, &readable);
  }
  if (fd < 0) {
    int e = errno;
    if (e == ENXIO) {  // O_NONBLOCK|O_WRONLY on a FIFO nobody reads, or a socket
      Fail(err, kErrNotRegular, "refusing %s: a FIFO or socket, not a regular file", path_);
    } else if (e == ELOOP) {
      Fail(err, ELOOP, "refusing %s: a symbolic link (not followed)", path_);
    } else {
      SetErrno(err, e, "cannot open", path_);
    }
    return false;
  }
  struct statx st;
  if (!StatFd(fd, &st)) {
    SetErrno(err, errno, "cannot stat", path_);
    close(fd);
    return false;
  }
  if (!S_ISREG(st.stx_mode)) {
    Fail(err, kErrNotRegular, "refusing %s: %s, not a regular file", path_, TypeName(st.stx_mode));
    close(fd);
    return false;
  }
  if (st.stx_nlink > 1) {
    Fail(err, kErrHardlink, "refusing %s: it has %u links (a hardlink to another file?); a log file must have exactly one",
         path_, static_cast<unsigned>(st.stx_nlink));
    close(fd);
    return false;
  }
  if (created) fchmod(fd, kFileMode);
  fd_ = fd;
  can_read_ = readable;
  known_end_ = kUnknownEnd;  // a file we did not write yet: look at its end once
  reserved_end_ = 0;
  seen_end_ = 0;
  dev_ = DevOf(st);
  ino_ = st.stx_ino;
  return true;
}

// Does the path still name the file we hold? Rotation renames it away, or an
// admin deletes it; either way the next line belongs in a new file at the path.
// st: the path's statx when it is ours (valid when kOurs and st->stx_mask != 0).
Appender::PathState Appender::CheckPath(struct statx* st) {
  if (!StatPath(path_, st)) {
    st->stx_mask = 0;
    return errno == ENOENT || errno == ENOTDIR ? kMissing : kOurs;
  }
  return st->stx_ino == ino_ && DevOf(*st) == dev_ ? kOurs : kReplaced;
}

// logrotate renames the file, then creates the new one with O_EXCL; a writer
// that creates it in between makes logrotate move the writer's file aside to
// "<name>-YYYYMMDDHH.backup" (overwritten, with its events, by the next such
// race that hour). So when our file was renamed away and nothing is at the
// path yet, give the rotator a moment to create it before we do.
void Appender::WaitForRecreate() {
  struct statx st;
  if (!StatFd(fd_, &st) || st.stx_nlink == 0) return;  // deleted, not rotated: create now
  long deadline = NowMillis() + kRecreateWaitMs;
  while (CheckPath(&st) == kMissing && NowMillis() < deadline) SleepMicros(200);
}

// Opens the path if needed and takes the lock. The path is looked at (statx:
// renamed away, deleted, a second link?) at most every kPathCheckMicros, and
// at once when force_check is set; st then gets its statx, taken under the
// lock. Between two looks st is left empty (stx_mask 0) and an append is
// flock, lseek, write, unlock.
bool Appender::OpenAndLock(LockState* lock, struct statx* st, bool force_check, AppendError* err) {
  st->stx_mask = 0;
  if (fd_ >= 0) {
    *lock = LockBounded();
    long now = NowMicros();
    if (!force_check && now - path_checked_us_ < kPathCheckMicros) return true;
    PathState state = CheckPath(st);
    if (state == kOurs && st->stx_mask != 0) {
      if (st->stx_nlink <= 1) {
        path_checked_us_ = now;
        return true;
      }
      Unlock(*lock);
      Fail(err, kErrHardlink, "refusing %s: it now has %u links (a hardlink was made to it); a log file must have exactly one",
           path_, static_cast<unsigned>(st->stx_nlink));
      return false;
    }
    if (state == kOurs) {  // the path cannot be looked at (EACCES on a parent): keep our descriptor
      if (!StatFd(fd_, st)) st->stx_mask = 0;
      path_checked_us_ = now;
      return true;
    }
    Unlock(*lock);
    if (state == kMissing) WaitForRecreate();
    CloseFd();
    stats_.reopens++;
  }
  if (!OpenPath(err)) return false;
  *lock = LockBounded();
  if (!StatFd(fd_, st)) st->stx_mask = 0;
  path_checked_us_ = NowMicros();
  return true;
}

// flock with a bounded wait: poll LOCK_NB with a backoff from 20 us to 2 ms.
// After a wait reached the bound, the next appends for kLockCooldownBounds
// bounds try once and do not wait (the holder is stuck; each wait would cost
// the bound again).
Appender::LockState Appender::LockBounded() {
  if (lock_skip_until_ms_ == 0) {  // the usual case: one try, no clock
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return kLocked;
    if (errno != EWOULDBLOCK && errno != EINTR) return kNoLock;  // ENOLCK and the like: write unlocked
  }
  long now = NowMillis();
  bool cooling = lock_skip_until_ms_ != 0 && now < lock_skip_until_ms_;
  long deadline = cooling ? now : now + lock_timeout_ms_;
  long pause_us = 20;
  for (;;) {
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) {
      lock_skip_until_ms_ = 0;
      return kLocked;
    }
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return kNoLock;  // ENOLCK and the like: write unlocked
    if (NowMillis() >= deadline) break;
    SleepMicros(pause_us);
    if (pause_us < 2000) pause_us *= 2;
  }
  if (cooling) {
    stats_.lock_skips++;
    return kSkipped;
  }
  stats_.lock_timeouts++;
  lock_skip_until_ms_ = NowMillis() + kLockCooldownBounds * lock_timeout_ms_;
  return kTimedOut;
}

void Appender::Unlock(LockState lock) {
  if (lock == kLocked) flock(fd_, LOCK_UN);
}

namespace {

int FallocateKeepSize(int fd, uint64_t offset, uint64_t len) {
  int rc;
  do {
    rc = fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset), static_cast<off_t>(len));
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

// Makes sure the blocks for [size, size + len) exist before we write, so that
// a full disk refuses the write whole (ENOSPC, nothing written) instead of
// letting it land partly and cutting the file back (which readers that tail
// the file take for a truncation). Space is reserved 64 KiB at a time beyond
// the end (FALLOC_FL_KEEP_SIZE: the size does not change). Returns false only
// when the space is known to be missing; anything else (no fallocate here, no
// statx) leaves the write to the rollback, as before.
bool Appender::Reserve(const struct statx& st, uint64_t end, size_t len, bool* called, AppendError* err) {
  *called = false;
  if (!can_reserve_ || end == kUnknownEnd) return true;
  uint64_t need = end + len;
  // Our reservation still covers it, and nobody cut it away: a truncate frees
  // the blocks beyond the size, which st_blocks shows when the path was just
  // looked at; between looks, a size below the one we last saw shows it.
  bool intact = (st.stx_mask & STATX_BLOCKS) != 0 ? st.stx_blocks * 512 >= need : end >= seen_end_;
  seen_end_ = end;
  if (need <= reserved_end_ && intact) return true;
  uint64_t chunk = len > kReserveChunk ? len : kReserveChunk;
  *called = true;
  if (FallocateKeepSize(fd_, end, chunk) == 0) {
    stats_.reservations++;
    reserved_end_ = end + chunk;
    return true;
  }
  int e = errno;
  if (e == ENOSPC || e == EDQUOT) {
    // Not 64 KiB left: perhaps still room for these bytes.
    if (FallocateKeepSize(fd_, end, len) == 0) {
      stats_.reservations++;
      reserved_end_ = need;
      return true;
    }
    e = errno;
    if (e == ENOSPC || e == EDQUOT) {
      stats_.no_space++;
      char buf[128];
      Fail(err, e, "cannot write %s: %s (refused whole before writing: the file is unchanged)", path_,
           strerror_r(e, buf, sizeof buf));
      return false;
    }
  }
  // EOPNOTSUPP (NFSv3, some FUSE), ENOSYS, EINVAL...: no reservation on this
  // file; the rollback stays the guard against a torn line.
  if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == ENODEV || e == EPERM) can_reserve_ = false;
  return true;
}

bool Appender::WriteAll(const char* data, size_t len, bool locked, AppendError* err) {
  size_t done = 0;
  int code = 0;
  while (done < len) {
    ssize_t n = write(fd_, data + done, len - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      code = n < 0 ? errno : EIO;
      break;
    }
  }
  if (done == len) return true;
  if (done == 0) {
    SetErrno(err, code, "cannot write", path_);
    return false;
  }
  // A partial write, despite the reservation (a filesystem without fallocate,
  // a writer that ignores the lock filled the reserved space...): cut the file
  // back to where our bytes began, but only if nothing was appended after them
  // (always so under the lock; a writer that ignores the lock could have raced
  // us when we wrote unlocked). Last resort: readers see the file shrink.
  off_t end = lseek(fd_, 0, SEEK_CUR);
  struct statx st;
  if (end >= 0 && StatFd(fd_, &st) && static_cast<off_t>(st.stx_size) == end &&
      ftruncate(fd_, end - static_cast<off_t>(done)) == 0) {
    stats_.rollbacks++;
    reserved_end_ = 0;  // the truncate freed what lay beyond the new end
    SetErrno(err, code, "cannot write (partial write rolled back)", path_);
  } else {
    Fail(err, kErrTornLine, "partial write to %s could not be rolled back (%s lock)", path_, locked ? "with" : "without");
  }
  return false;
}

// Where our bytes will go: the file's size, taken under the lock.
uint64_t Appender::EndUnderLock(const struct statx& st) {
  if ((st.stx_mask & STATX_SIZE) != 0) return st.stx_size;
  off_t end = lseek(fd_, 0, SEEK_END);
  return end < 0 ? kUnknownEnd : static_cast<uint64_t>(end);
}

// Does the file end in a torn line (a writer killed between two pages of its
// write(2) left a partial line)? Under the lock. Free when the size is still
// what our last write left (nobody wrote since: the file ends in our '\n');
// otherwise one pread of the last byte. An empty file needs nothing.
// A last byte that is not '\n' may also be a write in progress: a writer that
// ignores the lock (the JavaScript writer, or one past its lock bound) grows
// the size page by page, and can be preempted between two pages for as long
// as the scheduler likes. Every write(2) to the file holds the inode's lock,
// so a write of zero bytes returns only once any write in progress has ended:
// if the size has not moved across it, nothing was in progress, and the line
// is torn. *end follows the size.
bool Appender::NeedsSeal(uint64_t* end) {
  if (*end == 0 || *end == kUnknownEnd || *end == known_end_ || !can_read_) return false;
  for (int look = 0; look < kSealLooks; look++) {
    char last = '\n';
    ssize_t n;
    do {
      n = pread(fd_, &last, 1, static_cast<off_t>(*end - 1));
    } while (n < 0 && errno == EINTR);
    if (n != 1 || last == '\n') return false;
    while (write(fd_, &last, 0) < 0 && errno == EINTR) {
    }
    off_t now = lseek(fd_, 0, SEEK_END);
    if (now < 0) return false;
    if (static_cast<uint64_t>(now) == *end) return true;
    *end = static_cast<uint64_t>(now);
    if (*end == 0) return false;
  }
  return false;  // the size keeps moving: others are writing, and the end is theirs
}

// One write(2) of the lines, after a '\n' that ends a torn last line when
// seal is set (then the bytes are copied once: a rare path).
bool Appender::WriteLines(const char* data, size_t len, bool seal, bool locked, AppendError* err) {
  if (!seal) return WriteAll(data, len, locked, err);
  char* sealed = static_cast<char*>(malloc(len + 1));
  if (sealed == nullptr) {  // no memory for the copy: the seal in a write of its own, still under the lock
    return WriteAll("\n", 1, locked, err) && WriteAll(data, len, locked, err);
  }
  sealed[0] = '\n';
  memcpy(sealed + 1, data, len);
  bool ok = WriteAll(sealed, len + 1, locked, err);
  free(sealed);
  return ok;
}

bool Appender::Append(const char* data, size_t len, AppendError* err) {
  if (closed_) {
    Fail(err, kErrClosed, "the writer is closed");
    return false;
  }
  int bad = CheckLines(data, len);
  if (bad == kErrLineTooLong) {
    Fail(err, bad, "a line is longer than 4096 bytes (PIPE_BUF), newline included");
    return false;
  }
  if (bad != 0) {
    Fail(err, bad, "data must be whole lines, each ending with a newline");
    return false;
  }
  LockState lock = kNoLock;
  struct statx st;
  uint64_t end = kUnknownEnd;
  bool seal = false;
  for (int attempt = 0;; attempt++) {
    if (!OpenAndLock(&lock, &st, attempt > 0, err)) return false;
    end = EndUnderLock(st);
    seal = NeedsSeal(&end);
    bool called = false;
    if (!Reserve(st, end, len + (seal ? 1 : 0), &called, err)) {
      Unlock(lock);
      return false;
    }
    // fallocate can wait on the filesystem's journal: if rotation renamed
    // the file meanwhile, start again on the new one, so the time between
    // the path check and the write stays what it was without the reservation
    // (a line landing in a file that is renamed twice, and so compressed,
    // before it lands would be lost).
    struct statx now;
    if (!called || attempt > 0 || CheckPath(&now) == kOurs) break;
    Unlock(lock);
  }
  // Without the lock (at the bound, or skipped after one) we write anyway:
  // O_APPEND keeps a line whole against other appenders, and losing the event
  // to a stuck lock holder is the worse fault.
  bool ok = WriteLines(data, len, seal, lock == kLocked, err);
  Unlock(lock);
  // Under the lock nobody else wrote between the size we took and our write,
  // so the file now ends at end + what we wrote, in our '\n'. Unlocked, or
  // after a failure, we do not know: the next append looks.
  known_end_ = ok && lock == kLocked && end != kUnknownEnd ? end + len + (seal ? 1 : 0) : kUnknownEnd;
  if (ok) {
    stats_.appends++;
    stats_.bytes += len;
    if (seal) stats_.seals++;
  }
  return ok;
}

}  // namespace ds01
