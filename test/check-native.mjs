// npm run check:native: builds the addon with AddressSanitizer and
// UndefinedBehaviorSanitizer (cmake-js, CMakeLists.txt) and runs the writer
// suite against it. The sanitizer runtimes are preloaded because node itself
// is not instrumented; leak detection is off because V8 keeps memory to exit.
// clang-tidy (.clang-tidy) runs over the same compile_commands.json first.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
const runtime = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim()

run(process.execPath, [join(root, 'node_modules/cmake-js/bin/cmake-js'), 'compile', '-O', 'build-asan', '--CDDS01_SANITIZE=ON'])
if (spawnSync('clang-tidy', ['--version']).status === 0) {
  run('clang-tidy', ['--quiet', '-p', 'build-asan', 'native/append.cc', 'native/binding.cc'])
  console.log('check:native: clang-tidy clean')
} else {
  console.log('check:native: clang-tidy not installed (apt-get install clang-tidy), not run')
}
const tests = readdirSync(join(root, 'test/writer')).filter((f) => f.endsWith('.test.mjs')).map((f) => join('test/writer', f))
run(process.execPath, ['--test', ...tests], {
  DS01_EVENTS_ADDON: join(root, 'build-asan/Release/ds01_events.node'),
  LD_PRELOAD: `${runtime('libasan.so')} ${runtime('libubsan.so')}`,
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1'
})
console.log('check:native: the writer suite passed under ASan + UBSan')
