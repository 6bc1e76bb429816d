// Node-API glue over the append core: a Writer class with append (sync),
// appendAsync (libuv thread pool), stats and close. Nothing here throws into
// JavaScript; every call returns null (written) or {code, errno, message}.
#include <napi.h>

#include <atomic>
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
// its in-flight async jobs, freed when the last of them lets go.
struct Shared {
  Shared(const char* path, int lock_timeout_ms) : app(path, lock_timeout_ms) {}
  std::mutex mu;
  ds01::Appender app;
  Job* head = nullptr;  // async jobs not yet written, oldest first
  Job* tail = nullptr;
  // The first async job to fail whose failure nobody has heard of yet (no
  // drain() since, and its callback has not run): what drain() reports.
  bool async_failed = false;
  uint64_t failed_job = 0;
  ds01::AppendError first_async_error;
  uint64_t next_job = 1;
  std::atomic<int> refs{1};
  void Ref() { refs.fetch_add(1); }
  void Unref() {
    if (refs.fetch_sub(1) == 1) delete this;
  }
};

struct Job {
  uint64_t seq = 0;
  const char* data = nullptr;
  size_t len = 0;
  char* owned = nullptr;  // a copy we made (of a string), freed with the job
  bool done = false;
  bool ok = false;
  ds01::AppendError err;
  Job* next = nullptr;
};

// Writes every queued job up to and including `last` (all of them when null),
// so lines land in the order JavaScript handed them over. Caller holds mu.
void DrainLocked(Shared* s, Job* last) {
  while (s->head != nullptr) {
    Job* job = s->head;
    s->head = job->next;
    if (s->head == nullptr) s->tail = nullptr;
    job->ok = s->app.Append(job->data, job->len, &job->err);
    job->done = true;
    if (!job->ok && !s->async_failed) {
      s->async_failed = true;
      s->failed_job = job->seq;
      s->first_async_error = job->err;
    }
    if (job == last) return;
  }
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

class AppendWorker : public Napi::AsyncWorker {
 public:
  AppendWorker(Napi::Function& callback, Shared* shared, Job* job, Napi::Value bytes)
      : Napi::AsyncWorker(callback, "ds01-events:append"), shared_(shared), job_(job) {
    shared_->Ref();
    // A Uint8Array is written in place, not copied: keep it alive until done.
    if (bytes.IsTypedArray()) keep_ = Napi::Persistent(bytes.As<Napi::Object>());
  }
  ~AppendWorker() override {
    free(job_->owned);
    delete job_;
    shared_->Unref();
  }
  void Execute() override {
    std::lock_guard<std::mutex> hold(shared_->mu);
    if (!job_->done) DrainLocked(shared_, job_);
  }
  void OnOK() override {
    {
      // Its callback reports this failure: a later drain() must not again.
      std::lock_guard<std::mutex> hold(shared_->mu);
      if (shared_->async_failed && shared_->failed_job == job_->seq) shared_->async_failed = false;
    }
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Callback().Call({Result(env, job_->ok, job_->err)});
  }

 private:
  Shared* shared_;
  Job* job_;
  Napi::ObjectReference keep_;
};

class Writer : public Napi::ObjectWrap<Writer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Writer",
                       {InstanceMethod<&Writer::Append>("append"),
                        InstanceMethod<&Writer::AppendAsync>("appendAsync"),
                        InstanceMethod<&Writer::Drain>("drain"),
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

  // Environment teardown (worker exit, process exit) or GC: close the fd.
  ~Writer() override {
    if (shared_ == nullptr) return;
    {
      std::lock_guard<std::mutex> hold(shared_->mu);
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
      std::lock_guard<std::mutex> hold(shared_->mu);
      DrainLocked(shared_, nullptr);
      ok = shared_->app.Append(data, len, &err);
    }
    free(heap);
    return Result(env, ok, err);
  }

  Napi::Value AppendAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[1].IsFunction()) return Invalid(env, "appendAsync(data, callback)");
    Napi::Value refusal;
    if (!PathValid(env, &refusal)) return refusal;
    Napi::Value value = info[0];
    Job* job = new Job();
    if (IsUint8Array(value)) {
      Napi::Uint8Array u8 = value.As<Napi::Uint8Array>();
      job->data = reinterpret_cast<const char*>(u8.Data());
      job->len = u8.ByteLength();
    } else if (value.IsString() && CopyString(value, &job->owned, &job->len)) {
      job->data = job->owned;
    } else {
      delete job;
      return Invalid(env, "appendAsync(data: string | Uint8Array, callback)");
    }
    {
      std::lock_guard<std::mutex> hold(shared_->mu);
      job->seq = shared_->next_job++;
      if (shared_->tail != nullptr) shared_->tail->next = job;
      else shared_->head = job;
      shared_->tail = job;
    }
    Napi::Function callback = info[1].As<Napi::Function>();
    // The worker deletes itself once its callback has run (Napi::AsyncWorker).
    // NOLINTBEGIN(clang-analyzer-cplusplus.NewDeleteLeaks)
    (new AppendWorker(callback, shared_, job, value))->Queue();
    return env.Null();
    // NOLINTEND(clang-analyzer-cplusplus.NewDeleteLeaks)
  }

  // Writes the async jobs not yet started (waits for one in progress): when it
  // returns, everything handed to appendAsync is on disk or has failed. null if
  // all of it landed, else the first failure not yet reported (by an earlier
  // drain() or by its callback). Callbacks still run, later, as usual.
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    bool ok = true;
    ds01::AppendError err;
    {
      std::lock_guard<std::mutex> hold(shared_->mu);
      DrainLocked(shared_, nullptr);
      if (shared_->async_failed) {
        ok = false;
        err = shared_->first_async_error;
        shared_->async_failed = false;
      }
    }
    return Result(info.Env(), ok, err);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ds01::AppendStats st;
    {
      std::lock_guard<std::mutex> hold(shared_->mu);
      st = shared_->app.stats();
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
    return out;
  }

  // Writes what is still queued, then closes; later appends answer ECLOSED.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> hold(shared_->mu);
    DrainLocked(shared_, nullptr);
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
  exports.Set("sourceHash", DS01_SOURCE_HASH);
  return exports;
}

}  // namespace

NODE_API_MODULE(ds01_events, Init)
