// Node-API glue over the append core: a Writer class with append (sync),
// appendAsync (libuv thread pool, any number queued, written in order),
// drain, waitIdle, stats and close. Nothing here throws into
// JavaScript; every call returns null (written) or {code, errno, message}.
#include <napi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdlib.h>
#include <string.h>

#include "append.h"

#ifndef DS01_SOURCE_HASH
#define DS01_SOURCE_HASH "unknown"
#endif

namespace {

struct Job;

// The appender and the jobs queued for it, shared by the Writer object and
// its async jobs, freed when the last of them lets go. Two locks: `queue_mu`
// guards the job list and is never held across I/O, so handing over a batch
// never waits for the disk; `write_mu` is held by whoever writes, so jobs land
// one at a time, in order.
struct Shared {
  Shared(const char* path, int lock_timeout_ms) : app(path, lock_timeout_ms) {}
  std::mutex write_mu;
  ds01::Appender app;  // guarded by write_mu

  std::mutex queue_mu;
  std::condition_variable idle;  // signalled (under queue_mu) each time a job is done
  Job* head = nullptr;           // async jobs not yet written, oldest first
  Job* tail = nullptr;
  uint64_t next_job = 1;
  uint64_t unfinished = 0;  // jobs queued or being written
  uint64_t last_landed = 0;  // the newest job that landed (jobs are numbered 1, 2, ... in order)
  // app.stats() as of the last append: stats() reads this, so it never waits
  // for a write in progress (a stalled disk must not block the event loop).
  ds01::AppendStats stats;
  // The first async job to fail whose failure nobody has heard of yet (no
  // drain() since, and its callback has not run): what drain() reports.
  bool async_failed = false;
  uint64_t failed_job = 0;
  ds01::AppendError first_async_error;
  // After an async failure, later jobs are not tried (they fail with the same
  // error) until JavaScript has heard of it: then every job it handed over
  // before hearing (seq <= halt_through) fails too. So a caller that requeues
  // failed batches never sees a later batch land before an earlier one.
  bool halted = false;
  uint64_t halt_through = 0;
  ds01::AppendError halt_error;

  std::atomic<int> refs{1};
  void Ref() { refs.fetch_add(1); }
  void Unref() {
    if (refs.fetch_sub(1) == 1) delete this;
  }
};

struct Job {
  Shared* shared = nullptr;
  uint64_t seq = 0;
  const char* data = nullptr;
  size_t len = 0;
  char* owned = nullptr;  // a copy we made (of a string), freed with the job
  bool done = false;      // guarded by queue_mu
  bool ok = false;
  ds01::AppendError err;
  Job* next = nullptr;
  napi_async_work work = nullptr;
  napi_ref callback = nullptr;
  napi_ref keep = nullptr;  // the Uint8Array written in place, alive until done
};

// JavaScript heard of an async failure (its callback is about to run, or
// drain() reports it): what it handed over until now fails without a try.
void AcknowledgeFailureLocked(Shared* s) {
  if (!s->halted) return;
  s->halted = false;
  s->halt_through = s->next_job - 1;
}

// Writes queued jobs in order up to and including `last` (all of them when
// null). Caller holds write_mu, not queue_mu.
void DrainWriting(Shared* s, Job* last) {
  for (;;) {
    Job* job;
    bool skip;
    {
      std::lock_guard<std::mutex> hold(s->queue_mu);
      job = s->head;
      if (job == nullptr) return;
      s->head = job->next;
      if (s->head == nullptr) s->tail = nullptr;
      skip = s->halted || job->seq <= s->halt_through;
      if (skip) job->err = s->halt_error;
    }
    bool ok = !skip && s->app.Append(job->data, job->len, &job->err);
    {
      std::lock_guard<std::mutex> hold(s->queue_mu);
      job->ok = ok;
      job->done = true;
      s->stats = s->app.stats();
      if (ok) s->last_landed = job->seq;
      if (!ok && !skip) {
        s->halted = true;
        s->halt_error = job->err;
        if (!s->async_failed) {
          s->async_failed = true;
          s->failed_job = job->seq;
          s->first_async_error = job->err;
        }
      }
      s->unfinished--;
    }
    s->idle.notify_all();
    if (job == last) return;
  }
}

// A result object built with plain Node-API calls: nothing here may throw or
// abort, even while the environment is being torn down.
napi_value RawResult(napi_env env, bool ok, const ds01::AppendError& err) {
  napi_value out = nullptr;
  if (ok) {
    napi_get_null(env, &out);
    return out;
  }
  napi_value code = nullptr, errno_value = nullptr, message = nullptr;
  if (napi_create_object(env, &out) != napi_ok) return nullptr;
  napi_create_string_utf8(env, ds01::CodeName(err.code), NAPI_AUTO_LENGTH, &code);
  napi_create_int32(env, err.code > 0 ? err.code : 0, &errno_value);
  napi_create_string_utf8(env, err.message, NAPI_AUTO_LENGTH, &message);
  napi_set_named_property(env, out, "code", code);
  napi_set_named_property(env, out, "errno", errno_value);
  napi_set_named_property(env, out, "message", message);
  return out;
}

void ExecuteJob(napi_env /*env*/, void* data) {
  Job* job = static_cast<Job*>(data);
  std::lock_guard<std::mutex> hold(job->shared->write_mu);
  bool done;
  {
    std::lock_guard<std::mutex> q(job->shared->queue_mu);
    done = job->done;
  }
  if (!done) DrainWriting(job->shared, job);
}

// On the JavaScript thread, also while a worker's environment is torn down
// (process.exit() or terminate() in the worker): then napi_call_function
// refuses to run JavaScript and we ignore that, instead of throwing into a
// dying environment (Napi::AsyncWorker's fatal napi_throw). A job the pool
// never ran (cancelled) is written here, so what was queued still lands.
void CompleteJob(napi_env env, napi_status status, void* data) {
  Job* job = static_cast<Job*>(data);
  Shared* s = job->shared;
  bool done;
  {
    std::lock_guard<std::mutex> q(s->queue_mu);
    done = job->done;
  }
  if (!done) {
    std::lock_guard<std::mutex> hold(s->write_mu);
    DrainWriting(s, job);
  }
  {
    std::lock_guard<std::mutex> q(s->queue_mu);
    if (!job->ok) {
      AcknowledgeFailureLocked(s);
      // Its callback reports this failure: a later drain() must not again.
      if (s->async_failed && s->failed_job == job->seq) s->async_failed = false;
    }
  }
  if (status != napi_cancelled) {
    napi_handle_scope scope = nullptr;
    napi_value callback = nullptr, global = nullptr;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value result = RawResult(env, job->ok, job->err);
      if (result != nullptr && napi_get_reference_value(env, job->callback, &callback) == napi_ok &&
          callback != nullptr && napi_get_global(env, &global) == napi_ok) {
        // A callback that throws leaves its exception pending: Node reports it
        // as uncaught, as for any callback. A refusal to run JavaScript is ignored.
        napi_call_function(env, global, callback, 1, &result, nullptr);
      }
      napi_close_handle_scope(env, scope);
    }
  }
  napi_delete_reference(env, job->callback);
  if (job->keep != nullptr) napi_delete_reference(env, job->keep);
  napi_delete_async_work(env, job->work);
  free(job->owned);
  delete job;
  s->Unref();
}

Napi::Value Result(Napi::Env env, bool ok, const ds01::AppendError& err) {
  if (ok) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", ds01::CodeName(err.code));
  out.Set("errno", err.code > 0 ? err.code : 0);
  out.Set("message", err.message);
  return out;
}

Napi::Value Invalid(Napi::Env env, const char* message) {
  ds01::AppendError err;
  ds01::Fail(&err, EINVAL, "%s", message);
  return Result(env, false, err);
}

bool IsUint8Array(Napi::Value value) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

// Copies a string's UTF-8 into malloc'd bytes.
bool CopyString(Napi::Value value, char** out, size_t* len) {
  napi_env env = value.Env();
  size_t n = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &n) != napi_ok) return false;
  char* buf = static_cast<char*>(malloc(n + 1));
  if (buf == nullptr) return false;
  napi_get_value_string_utf8(env, value, buf, n + 1, &n);
  *out = buf;
  *len = n;
  return true;
}

class Writer : public Napi::ObjectWrap<Writer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Writer",
                       {InstanceMethod<&Writer::Append>("append"),
                        InstanceMethod<&Writer::AppendAsync>("appendAsync"),
                        InstanceMethod<&Writer::Drain>("drain"),
                        InstanceMethod<&Writer::WaitIdle>("waitIdle"),
                        InstanceMethod<&Writer::LastLanded>("lastLanded"),
                        InstanceMethod<&Writer::Stats>("stats"),
                        InstanceMethod<&Writer::Close>("close")});
  }

  // Never throws: a path that is not a string, or holds a NUL byte, makes a
  // writer whose every append answers EINVAL.
  explicit Writer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Writer>(info) {
    int timeout = 100;
    if (info.Length() > 1 && info[1].IsNumber()) {
      double ms = info[1].As<Napi::Number>().DoubleValue();
      timeout = ms > 0 && ms < 2147483647.0 ? static_cast<int>(ms) : (ms >= 2147483647.0 ? 2147483647 : 0);
    }
    std::string path = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
    shared_ = new Shared(path.c_str(), timeout);
    if (path.empty() || path.size() != strlen(path.c_str())) shared_->app.Close();
    valid_path_ = !shared_->app.closed();
  }

  // Environment teardown (worker exit, process exit) or GC: what is still
  // queued is written, then the fd is closed.
  ~Writer() override {
    if (shared_ == nullptr) return;
    {
      std::lock_guard<std::mutex> hold(shared_->write_mu);
      DrainWriting(shared_, nullptr);
      shared_->app.Close();
    }
    shared_->Unref();
  }

 private:
  Napi::Value Append(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ds01::AppendError err;
    bool ok = false;
    Napi::Value refusal;
    if (!PathValid(env, &refusal)) return refusal;
    if (info.Length() < 1) return Invalid(env, "append(data: string | Uint8Array)");
    Napi::Value value = info[0];
    // Hot path: a string of one line is converted on the stack, no malloc.
    char stack[ds01::kMaxLineBytes * 2];
    size_t len = 0;
    char* heap = nullptr;
    const char* data = stack;
    if (value.IsString()) {
      napi_get_value_string_utf8(env, value, stack, sizeof stack, &len);
      // A cut copy stops short of the end by up to 3 bytes (it never splits
      // a character): near the end, take the whole string from the heap.
      if (len + 4 >= sizeof stack) {
        if (!CopyString(value, &heap, &len)) return Invalid(env, "cannot read the data");
        data = heap;
      }
    } else if (IsUint8Array(value)) {
      Napi::Uint8Array u8 = value.As<Napi::Uint8Array>();
      data = reinterpret_cast<const char*>(u8.Data());
      len = u8.ByteLength();
    } else {
      return Invalid(env, "append(data: string | Uint8Array)");
    }
    {
      std::lock_guard<std::mutex> hold(shared_->write_mu);
      DrainWriting(shared_, nullptr);
      ok = shared_->app.Append(data, len, &err);
      std::lock_guard<std::mutex> q(shared_->queue_mu);
      shared_->stats = shared_->app.stats();
    }
    free(heap);
    return Result(env, ok, err);
  }

  // Queues the job and returns its number at once: it never waits for the disk (only
  // queue_mu, never held across I/O). Jobs are written in order on the thread
  // pool, any number of them queued at a time.
  Napi::Value AppendAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[1].IsFunction()) return Invalid(env, "appendAsync(data, callback)");
    Napi::Value refusal;
    if (!PathValid(env, &refusal)) return refusal;
    Napi::Value value = info[0];
    Job* job = new Job();
    job->shared = shared_;
    if (IsUint8Array(value)) {
      Napi::Uint8Array u8 = value.As<Napi::Uint8Array>();
      job->data = reinterpret_cast<const char*>(u8.Data());
      job->len = u8.ByteLength();
      // Written in place, not copied: keep it alive until the job is done.
      napi_create_reference(env, value, 1, &job->keep);
    } else if (value.IsString() && CopyString(value, &job->owned, &job->len)) {
      job->data = job->owned;
    } else {
      delete job;
      return Invalid(env, "appendAsync(data: string | Uint8Array, callback)");
    }
    napi_value name = nullptr;
    napi_create_string_utf8(env, "ds01-events:append", NAPI_AUTO_LENGTH, &name);
    if (napi_create_reference(env, info[1], 1, &job->callback) != napi_ok ||
        napi_create_async_work(env, nullptr, name, ExecuteJob, CompleteJob, job, &job->work) != napi_ok) {
      if (job->callback != nullptr) napi_delete_reference(env, job->callback);
      if (job->keep != nullptr) napi_delete_reference(env, job->keep);
      free(job->owned);
      delete job;
      return Invalid(env, "cannot queue the write");
    }
    shared_->Ref();
    uint64_t seq;
    {
      std::lock_guard<std::mutex> hold(shared_->queue_mu);
      seq = job->seq = shared_->next_job++;
      if (shared_->tail != nullptr) shared_->tail->next = job;
      else shared_->head = job;
      shared_->tail = job;
      shared_->unfinished++;
    }
    // CompleteJob frees the job once it has run. Should the pool refuse it
    // (it does not, short of a broken environment), the job stays queued and
    // the next drain/append/close writes it; only its memory is then kept.
    napi_queue_async_work(env, job->work);
    return Napi::Number::New(env, static_cast<double>(seq));
  }

  // The number of the newest async job that landed (0: none yet). Jobs are
  // numbered 1, 2, ... as appendAsync accepts them; after drain(), the jobs
  // that landed are exactly those up to this one not reported as failed.
  Napi::Value LastLanded(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> q(shared_->queue_mu);
    return Napi::Number::New(info.Env(), static_cast<double>(shared_->last_landed));
  }

  // Writes the async jobs not yet started (waits for one in progress): when it
  // returns, everything handed to appendAsync is on disk or has failed. null if
  // all of it landed, else the first failure not yet reported (by an earlier
  // drain() or by its callback). Callbacks still run, later, as usual.
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    bool ok = true;
    ds01::AppendError err;
    {
      std::lock_guard<std::mutex> hold(shared_->write_mu);
      DrainWriting(shared_, nullptr);
      std::lock_guard<std::mutex> q(shared_->queue_mu);
      AcknowledgeFailureLocked(shared_);
      if (shared_->async_failed) {
        ok = false;
        err = shared_->first_async_error;
        shared_->async_failed = false;
      }
    }
    return Result(info.Env(), ok, err);
  }

  // Waits up to `ms` for the thread pool to finish every job handed over (it
  // never writes itself, so a stalled disk costs the caller at most `ms`).
  // true when nothing is queued or being written.
  Napi::Value WaitIdle(const Napi::CallbackInfo& info) {
    double ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
    if (!(ms > 0)) ms = 0;
    if (ms > 3600e3) ms = 3600e3;
    // system_clock, not steady_clock: libstdc++ waits on a steady clock with
    // pthread_cond_clockwait (GLIBC_2.34), above the prebuild's glibc 2.28 floor.
    // A wall-clock jump can only lengthen or shorten this one short wait.
    auto deadline = std::chrono::system_clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
    std::unique_lock<std::mutex> q(shared_->queue_mu);
    bool idle = shared_->idle.wait_until(q, deadline, [this] { return shared_->unfinished == 0; });
    return Napi::Boolean::New(info.Env(), idle);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ds01::AppendStats st;
    {
      std::lock_guard<std::mutex> q(shared_->queue_mu);
      st = shared_->stats;
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("appends", static_cast<double>(st.appends));
    out.Set("bytes", static_cast<double>(st.bytes));
    out.Set("reopens", static_cast<double>(st.reopens));
    out.Set("lockTimeouts", static_cast<double>(st.lock_timeouts));
    out.Set("rollbacks", static_cast<double>(st.rollbacks));
    out.Set("lockSkips", static_cast<double>(st.lock_skips));
    out.Set("reservations", static_cast<double>(st.reservations));
    out.Set("noSpace", static_cast<double>(st.no_space));
    out.Set("seals", static_cast<double>(st.seals));
    return out;
  }

  // Writes what is still queued, then closes; later appends answer ECLOSED.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> hold(shared_->write_mu);
    DrainWriting(shared_, nullptr);
    shared_->app.Close();
    return info.Env().Null();
  }

  bool PathValid(Napi::Env env, Napi::Value* refusal) {
    if (valid_path_) return true;
    *refusal = Invalid(env, "the path must be a non-empty string without NUL bytes");
    return false;
  }

  Shared* shared_ = nullptr;
  bool valid_path_ = true;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Writer", Writer::Define(env));
  exports.Set("maxLineBytes", static_cast<double>(ds01::kMaxLineBytes));
  exports.Set("pathCheckMs", static_cast<double>(ds01::kPathCheckMicros) / 1000.0);
  exports.Set("sourceHash", DS01_SOURCE_HASH);
  return exports;
}

}  // namespace

NODE_API_MODULE(ds01_events, Init)
