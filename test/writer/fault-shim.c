/* LD_PRELOAD shim for the writer tests: makes write(2) on files whose path
 * contains $DS01_FAULT_PATH misbehave as $DS01_FAULT says:
 *   eintr:N   the first N calls fail with EINTR
 *   short:K   the first call writes K bytes; every later call fails with ENOSPC
 *   partial:K the first call writes K bytes; later calls behave
 * and open(2) of such a path as $DS01_OPEN_FAULT says:
 *   eacces:N  the first N opens fail with EACCES (each one after a chmod that
 *             makes the file's ctime now, as logrotate's create leaves it)
 * and fallocate(2) on such a file as $DS01_FALLOCATE_FAULT says:
 *   eopnotsupp  every call fails with EOPNOTSUPP (a filesystem without it)
 *   rotate      the first call renames the file to <name>.1 first (a rotation
 *               while fallocate waits on the journal)
 * and, with $DS01_COUNT_STATX set, counts the statx(2) calls that look up such
 * a path by name (the rotation check) in $DS01_STATX_CALLS. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int calls;
static int injected;

/* Tells the process (and so the test) how many faults fired. */
static void count_fault(void) {
  char n[16];
  snprintf(n, sizeof n, "%d", ++injected);
  setenv("DS01_FAULTS_INJECTED", n, 1);
}

/* Is fd a file whose path contains $DS01_FAULT_PATH? Its path goes to path_out when given. */
static int targeted_path(int fd, char *path_out) {
  const char *want = getenv("DS01_FAULT_PATH");
  char link[64], path[PATH_MAX];
  if (want == NULL) return 0;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  if (path_out != NULL) memcpy(path_out, path, (size_t)n + 1);
  return strstr(path, want) != NULL;
}

static int targeted(int fd) { return targeted_path(fd, NULL); }

ssize_t write(int fd, const void *buf, size_t count) {
  static ssize_t (*real)(int, const void *, size_t);
  if (real == NULL) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  const char *mode = getenv("DS01_FAULT");
  if (mode == NULL || !targeted(fd)) return real(fd, buf, count);
  int call = calls++;
  int arg = atoi(strchr(mode, ':') + 1);
  if (strncmp(mode, "eintr:", 6) == 0) {
    if (call < arg) { count_fault(); errno = EINTR; return -1; }
    return real(fd, buf, count);
  }
  if (call == 0) { count_fault(); return real(fd, buf, (size_t)arg < count ? (size_t)arg : count); }
  if (strncmp(mode, "short:", 6) == 0) { count_fault(); errno = ENOSPC; return -1; }
  return real(fd, buf, count);
}

static int opens;

static int open_fault(const char *path) {
  const char *mode = getenv("DS01_OPEN_FAULT");
  const char *want = getenv("DS01_FAULT_PATH");
  if (mode == NULL || want == NULL || strstr(path, want) == NULL) return 0;
  if (opens++ >= atoi(strchr(mode, ':') + 1)) return 0;
  count_fault();
  /* As logrotate's create does (chown, chmod after the create): the file's
   * ctime is now, however long the process took to start. */
  struct stat st;
  if (stat(path, &st) == 0) chmod(path, st.st_mode & 07777);
  errno = EACCES;
  return 1;
}

#define OPEN_SHIM(name)                                                    \
  int name(const char *path, int flags, ...) {                             \
    static int (*real)(const char *, int, ...);                            \
    if (real == NULL) real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
    mode_t mode = 0;                                                       \
    if (flags & O_CREAT) {                                                 \
      va_list args;                                                        \
      va_start(args, flags);                                               \
      mode = va_arg(args, mode_t);                                         \
      va_end(args);                                                        \
    }                                                                      \
    if (open_fault(path)) return -1;                                       \
    return real(path, flags, mode);                                        \
  }

OPEN_SHIM(open)
OPEN_SHIM(open64)

#define FALLOCATE_SHIM(name)                                               \
  int name(int fd, int mode, off_t offset, off_t len) {                    \
    static int (*real)(int, int, off_t, off_t);                            \
    if (real == NULL) real = (int (*)(int, int, off_t, off_t))dlsym(RTLD_NEXT, #name); \
    const char *fault = getenv("DS01_FALLOCATE_FAULT");                    \
    char path[PATH_MAX];                                                   \
    if (fault != NULL && strcmp(fault, "eopnotsupp") == 0 && targeted(fd)) { \
      count_fault();                                                       \
      errno = EOPNOTSUPP;                                                  \
      return -1;                                                           \
    }                                                                      \
    if (fault != NULL && strcmp(fault, "rotate") == 0 && injected == 0 && targeted_path(fd, path)) { \
      char rotated[PATH_MAX + 2];                                          \
      snprintf(rotated, sizeof rotated, "%s.1", path);                     \
      count_fault();                                                       \
      rename(path, rotated);                                               \
    }                                                                      \
    return real(fd, mode, offset, len);                                    \
  }

FALLOCATE_SHIM(fallocate)
FALLOCATE_SHIM(fallocate64)

static int statx_calls;

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
  static int (*real)(int, const char *, int, unsigned int, struct statx *);
  if (real == NULL) real = (int (*)(int, const char *, int, unsigned int, struct statx *))dlsym(RTLD_NEXT, "statx");
  const char *want = getenv("DS01_FAULT_PATH");
  if (getenv("DS01_COUNT_STATX") != NULL && want != NULL && path != NULL && path[0] != '\0' && strstr(path, want) != NULL) {
    char n[16];
    snprintf(n, sizeof n, "%d", ++statx_calls);
    setenv("DS01_STATX_CALLS", n, 1);
  }
  return real(dirfd, path, flags, mask, buf);
}
